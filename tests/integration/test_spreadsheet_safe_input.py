"""Free text that a spreadsheet would run is refused at input: web forms, the API and the
caseload import alike (interchange.md conventions, "Spreadsheet safety"; issue 27 item 6;
decision 104). The exports' apostrophe is the other half, elsewhere."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from benefits.accounts.models import User
from benefits.cases.models import Case, CaseEvent
from benefits.extensions import db
from tests.builders import CITIZEN_FORM
from tests.integration.test_case_decisions import clock as _clock
from tests.integration.test_case_decisions import officer as _officer
from tests.integration.test_caseload_import import GOOD, HEADER, run_import, write

clock, officer = _clock, _officer


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def field_errors(response):
    page = BeautifulSoup(response.data, "html.parser")
    return {p.parent.get("id", "").removesuffix("-field"): p.get_text(" ", strip=True)
            for p in page.select(".error-message")}  # fmt: skip


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)",
                                  "  =1+1", "\t=1", "\r=1"])  # fmt: skip
def test_a_name_beginning_like_a_formula_is_refused_beside_its_field(app, text):
    client = app.test_client()
    client.set_cookie("lang", "vi")
    response = client.post("/register", data={**CITIZEN_FORM, "full_name": text})
    assert field_errors(response)["full_name"].startswith(
        "Nội dung này không được bắt đầu bằng =, +, -, @, dấu tab hoặc dấu xuống dòng"
    )
    assert count(User) == 0


def test_a_phone_number_with_its_country_code_is_no_formula(app):
    client = app.test_client()
    response = client.post("/register", data={**CITIZEN_FORM, "phone": "+84912345678"})
    assert response.status_code == 302
    assert count(User) == 1


def test_the_english_message_and_a_formula_in_the_middle_is_fine(app):
    client = app.test_client()
    client.set_cookie("lang", "en")
    response = client.post("/register", data={**CITIZEN_FORM, "full_name": "=Dân"})
    assert field_errors(response)["full_name"].startswith(
        "This text cannot begin with =, +, -, @, a tab or a line break"
    )
    response = client.post("/register", data={**CITIZEN_FORM, "full_name": "Dân =1+1"})
    assert response.status_code == 302


def test_a_request_for_papers_beginning_like_a_formula_is_refused(app, clock, client, citizen,
                                                                   officer):  # fmt: skip
    from tests.integration.test_case_decisions import apply_for_child

    case = apply_for_child(client)
    events = count(CaseEvent)
    response = officer.post(f"/officer/cases/{case.code}/supplement",
                            data={"message": "=1+1"}, follow_redirects=True)  # fmt: skip
    assert "bảng tính sẽ đọc nó như một công thức" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "submitted"
    assert count(CaseEvent) == events


@pytest.mark.parametrize("quoted", [False, True], ids=["by columns", "row by row"])
@pytest.mark.parametrize("column, value", [("full_name", "=Lâm Văn Sơn"), ("address", "+Tổ 1"),
                                           ("decision_number", "-125/QĐ-UBND"),
                                           ("payment_point", "@PO")])  # fmt: skip
def test_the_caseload_import_reports_a_text_beginning_like_a_formula(app, tmp_path, column,
                                                                     value, quoted):  # fmt: skip
    fields = dict(zip(HEADER.split(","), GOOD.split(","), strict=True))
    fields[column] = f'"{value}"' if quoted else value
    result = run_import(app, write(tmp_path, ",".join(fields.values())), "--json")
    assert result.exit_code == 1
    assert (f"line 2: {column}: bắt đầu bằng {value[0]}: bảng tính sẽ đọc nó như một công thức"
            in result.stderr.splitlines())  # fmt: skip


def test_white_space_around_a_name_is_dropped_so_it_no_longer_begins_with_a_tab(app):
    client = app.test_client()
    response = client.post("/register", data={**CITIZEN_FORM, "full_name": "\tHoàng Thị Dân\r"})
    assert response.status_code == 302
    assert db.session.scalar(select(User.full_name)) == "Hoàng Thị Dân"
