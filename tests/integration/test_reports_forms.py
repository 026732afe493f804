"""The half-year report forms 10a to 10d (TT02 Art 6; domain.md section 8) as XLSX, from
what the post office reported paid: their sums equal the reconciled batches."""

import json
import re
import zipfile
from datetime import date, datetime
from xml.etree import ElementTree

import pytest
from sqlalchemy import func, select

from benefits.accounts.audit import Actor
from benefits.accounts.service import create_staff_user
from benefits.cases.service import move_case
from benefits.extensions import db
from benefits.month import Month
from benefits.payments.generation import generate_batch
from benefits.payments.models import PaymentLine
from benefits.registry.care_support import grant_care_support
from tests.builders import PASSWORD, create_beneficiary, create_person
from tests.integration.test_care_and_one_off_lines import case_by_code, death_of
from tests.integration.test_payment_batches import SAMPLES

ACTOR = Actor.system("test")

# Reading back an XLSX the portal wrote, with the standard library only (the project has
# no spreadsheet reader installed); the files are the portal's own, written in the test
# (hence no defusedxml).
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _column(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref).group(0)
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1


def read_xlsx(path) -> dict[str, list[list]]:
    with zipfile.ZipFile(path) as book:
        shared = []
        if "xl/sharedStrings.xml" in book.namelist():
            root = ElementTree.fromstring(  # noqa: S314
                book.read("xl/sharedStrings.xml")
            )
            shared = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t"))
                      for si in root.findall("m:si", NS)]  # fmt: skip
        workbook = ElementTree.fromstring(  # noqa: S314
            book.read("xl/workbook.xml")
        )
        rels = ElementTree.fromstring(  # noqa: S314
            book.read("xl/_rels/workbook.xml.rels")
        )
        targets = {rel.get("Id"): rel.get("Target") for rel in rels}
        sheets = {}
        for sheet in workbook.find("m:sheets", NS):
            xml = ElementTree.fromstring(  # noqa: S314
                book.read("xl/" + targets[sheet.get(REL)])
            )
            rows = []
            for row in xml.iter(f"{{{NS['m']}}}row"):
                values: list = []
                for cell in row.findall("m:c", NS):
                    col = _column(cell.get("r"))
                    values.extend([None] * (col + 1 - len(values)))
                    kind, raw = cell.get("t"), cell.find("m:v", NS)
                    if kind == "s":
                        values[col] = shared[int(raw.text)]
                    elif kind == "inlineStr":
                        values[col] = "".join(t.text or "" for t in cell.iter(f"{{{NS['m']}}}t"))
                    elif raw is not None:
                        number = float(raw.text)
                        values[col] = int(number) if number.is_integer() else number
                rows.append(values)
            sheets[sheet.get("name")] = rows
        return sheets


def row_labelled(rows: list[list], label: str) -> list:
    """The first row whose second cell (the row's label) is ``label``."""
    return next(row for row in rows if len(row) > 1 and row[1] == label)


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def reconcile(app, tmp_path, batch, unpaid=(), paid_on="2025-03-05"):
    """The post office paid every line of the batch but those of ``unpaid`` (ID numbers)."""
    assert cli(app, "payments", "lock", str(batch.id)).exit_code == 0
    lines = db.session.execute(
        select(PaymentLine.line_no, PaymentLine.national_id).where(PaymentLine.batch_id == batch.id)
    ).all()
    rows = ["line_no,national_id,status,paid_on"] + [
        f"{no},{nid},UNPAID," if nid in unpaid else f"{no},{nid},PAID,{paid_on}"
        for no, nid in lines
    ]
    path = tmp_path / f"result-{batch.id}.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = cli(app, "payments", "reconcile", str(batch.id), str(path), "--json")
    assert result.exit_code == 0, result.output


@pytest.fixture
def half_year_paid(app, tmp_path):
    return pay_half_year(app, tmp_path)


def pay_half_year(app, tmp_path):
    """The sample caseload, a child cared for in Hoàn Kiếm, a funeral there; March and
    April 2025 generated for Hà Nội (01) and reconciled, one March line unpaid; Vũng Tàu's
    March batch paid too (another province)."""
    assert cli(app, "registry", "import", str(SAMPLES / "caseload.csv")).exit_code == 0
    child = create_beneficiary(("CHILD_NO_SUPPORT",), "2025-03", date_of_birth=date(2022, 6, 10),
                               sex="F")  # fmt: skip
    carer = create_person(full_name="Hà Thị Mai", date_of_birth=date(1980, 2, 2), sex="F")
    grant_care_support(child, "CARE_CHILD", carer.full_name, carer.national_id,
                       Month(2025, 3), ACTOR)  # fmt: skip
    deceased = create_beneficiary(("ELDERLY_80_NO_PENSION",), "2025-01",
                                  date_of_birth=date(1940, 3, 3))  # fmt: skip
    record = death_of(deceased.person, "KT-FORMS", "2025-03-10")
    case = case_by_code(record.response["funeral_allowance"]["case_code"])
    move_case(case, "checking", ACTOR)
    move_case(case, "approved", ACTOR)
    march = generate_batch(Month(2025, 3), "province", "01", ACTOR)
    # Phan Văn Tâm (disabled, Ba Đình) did not collect March.
    reconcile(app, tmp_path, march, unpaid={"001065700002"})
    april = generate_batch(Month(2025, 4), "province", "01", ACTOR)
    reconcile(app, tmp_path, april, paid_on="2025-04-05")
    south = generate_batch(Month(2025, 3), "province", "79", ACTOR)
    reconcile(app, tmp_path, south)
    return {"march": march, "april": april, "child": child}


def paid_total(**where) -> int:
    query = select(func.coalesce(func.sum(PaymentLine.total_amount), 0)).where(
        PaymentLine.status == "paid"
    )
    for column, value in where.items():
        query = query.where(getattr(PaymentLine, column) == value)
    return db.session.scalar(query)


def forms(app, tmp_path, *scope):
    out = tmp_path / "forms.xlsx"
    result = cli(app, "reports", "forms", "--year", "2025", "--half", "1", *scope, "--out",
                 str(out), "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    return read_xlsx(out), json.loads(result.stdout.splitlines()[-1])


def test_the_forms_sum_to_what_the_post_office_paid(app, tmp_path, half_year_paid):
    sheets, figures = forms(app, tmp_path, "--province", "01")
    assert list(sheets) == ["10a", "10b", "10c", "10d", "Theo xã"]
    regular = row_labelled(sheets["10a"], "Tổng cộng (I + II)")[-1]
    one_off = row_labelled(sheets["10b"], "Tổng cộng")[-1]
    assert regular + one_off == paid_total(province_code="01") > 0
    assert one_off == 10_000_000  # the funeral support, 20 × 500,000 (ND20 Art 11)
    assert figures == {"regular_amount": regular, "one_off_amount": one_off}
    assert row_labelled(sheets["Theo xã"], "Tổng cộng")[-1] == paid_total(province_code="01")
    # The unpaid line is not in the figures; paid again in April, it is.
    unpaid = db.session.scalar(
        select(PaymentLine.total_amount).where(PaymentLine.status == "unpaid")
    )
    assert unpaid > 0
    allowance = row_labelled(sheets["10a"], "Tổng I")
    care = row_labelled(sheets["10a"], "Tổng II")
    assert allowance[-1] == paid_total(province_code="01", kind="ALLOWANCE")
    assert care[-1] == paid_total(province_code="01", kind="CARE_SUPPORT") > 0
    # Ba Đình: Lan, Tâm, Hạnh; Hoàn Kiếm: Sơn, Mơ, the child, the deceased.
    assert allowance[2] == 7
    assert care[2] == 1  # one child cared for


def test_the_forms_count_people_by_category_sex_and_age(app, tmp_path, half_year_paid):
    sheets, _ = forms(app, tmp_path, "--province", "01")
    header = next(row for row in sheets["10a"] if row and row[0] == "#")
    assert header[1:] == ["Đối tượng", "Số người", "Trong đó: nữ", "Dưới 16 tuổi",
                          "Từ 16 đến dưới 60 tuổi", "Từ 60 đến dưới 80 tuổi", "Từ 80 tuổi trở lên",
                          "Kinh phí đã chi trả (đồng)"]  # fmt: skip
    rows = {row[1]: row for row in sheets["10a"] if row and isinstance(row[0], str)
            and row[0].isdigit()}  # fmt: skip
    # Trịnh Thị Mơ (5.1, a girl born 2009-05: 16 by the end of June) and the girl of
    # the care (born 2022).
    child_row = next(row for label, row in rows.items() if "(Điều 5.1)" in label)
    assert child_row[2:8] == [2, 2, 1, 1, 0, 0]
    # Lâm Văn Sơn holds 5.5.a and 5.6: counted once, under the first in the law's order.
    elderly_alone = next(row for label, row in rows.items() if "(Điều 5.5.a)" in label)
    assert elderly_alone[2:4] == [1, 0]
    # 10c: the elderly, 60 and over by the end of June: Sơn (74), Tâm (60, under 5.6) and
    # the deceased (85).
    assert row_labelled(sheets["10c"], "Tổng cộng")[2:6] == [3, 0, 2, 1]
    assert any("(Điều 5.6)" in (row[1] or "") for row in sheets["10c"] if len(row) > 1)
    # 10d: Tâm (severe), Sơn (extremely severe), by level.
    disability = row_labelled(sheets["10d"], "Tổng cộng")
    assert disability[2] == 2


def test_a_commune_form_holds_the_commune_only(app, tmp_path, half_year_paid):
    sheets, figures = forms(app, tmp_path, "--commune", "00004")
    assert list(sheets) == ["10a", "10b", "10c", "10d"]
    assert figures == {"regular_amount": paid_total(commune_code="00004"), "one_off_amount": 0}
    assert any("Phường Ba Đình (00004)" in (row[0] or "") for row in sheets["10a"] if row)


def test_the_forms_are_downloaded_in_the_users_scope(app, half_year_paid):
    create_staff_user("officer", "cb@xa.gov.vn", "Cán Bộ", PASSWORD, ACTOR,
                      commune_code="00004")  # fmt: skip
    client = app.test_client()
    client.post("/login", data={"username": "cb@xa.gov.vn", "password": PASSWORD})
    response = client.get("/reports/forms.xlsx?year=2025&half=1")
    assert response.status_code == 200
    assert "bao-cao-10a-10d-2025-H1-00004.xlsx" in response.headers["Content-Disposition"]
    assert client.get("/reports/forms.xlsx?year=2025&half=1&commune=00070").status_code == 404
    refused = client.get("/reports/forms.xlsx?year=2025&half=3", follow_redirects=True)
    assert "Chọn năm và sáu tháng đầu hoặc cuối năm." in refused.get_data(as_text=True)


@pytest.mark.parametrize(("today", "year", "half"), [
    ("2025-06-05", "2025", "1"),  # a commune's report of the first half, before 15 June
    ("2025-07-10", "2025", "1"),  # a province's, before 15 July
    ("2025-12-05", "2025", "2"),
    ("2026-01-10", "2025", "2"),
])  # fmt: skip
def test_the_page_offers_the_half_year_due_now(app, today, year, half):
    import time_machine
    from bs4 import BeautifulSoup

    from benefits.places.calendar import VIETNAM

    create_staff_user("admin", "admin@so.gov.vn", "Quản Trị", PASSWORD, ACTOR, province_code="01")
    client = app.test_client()
    day = date.fromisoformat(today)
    with time_machine.travel(datetime(day.year, day.month, day.day, 9, tzinfo=VIETNAM), tick=False):
        client.post("/login", data={"username": "admin@so.gov.vn", "password": PASSWORD})
        page = BeautifulSoup(client.get("/reports/").data, "html.parser")
    assert page.select_one("#forms-year")["value"] == year
    # One form on the page, and the tab's title is the page's name, not a copy of the form.
    assert len(page.select("#forms-year")) == 1
    assert page.title.get_text().startswith("Báo cáo")
    assert page.select_one("#forms-half option[selected]")["value"] == half
