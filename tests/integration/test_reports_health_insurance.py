"""The health-insurance list for the social-security office (ND20 Art 9; interchange.md
section 4): from the CLI and as a download, one test per START and END reason."""

import csv
import io
import json
from datetime import date

import pytest
from bs4 import BeautifulSoup

from benefits.accounts.audit import Actor
from benefits.accounts.service import create_staff_user
from benefits.deaths.service import DeathReport, record_death
from benefits.extensions import db
from benefits.month import Month
from tests.builders import PASSWORD, create_beneficiary, create_person

COLUMNS = [
    "month", "change", "national_id", "full_name", "date_of_birth", "sex", "province_code",
    "commune_code", "address", "category_codes", "from_month", "reason",
]  # fmt: skip


def health_insurance(app, tmp_path, month, *args):
    out = tmp_path / f"bhyt-{month}.csv"
    result = app.test_cli_runner().invoke(
        args=["reports", "health-insurance", "--month", month, "--out", str(out), *args, "--json"]
    )
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a UTF-8 BOM, for Excel
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(COLUMNS)
    return list(csv.DictReader(io.StringIO(text))), json.loads(result.stdout.splitlines()[-1])


def rows_of(rows, national_id):
    return [row for row in rows if row["national_id"] == national_id]


def test_an_entitlement_starting_in_the_month_is_listed_as_start(app, tmp_path):
    new = create_beneficiary(("DISABLED_SEVERE",), "2025-03", date_of_birth=date(1970, 4, 2),
                             sex="F", full_name="Đào Thị Mới")  # fmt: skip
    create_beneficiary(("ELDERLY_80_NO_PENSION",), "2024-01", date_of_birth=date(1940, 1, 1))
    rows, figures = health_insurance(app, tmp_path, "2025-03")
    assert figures == {"started": 1, "ended": 0}
    assert rows == [{
        "month": "2025-03", "change": "START", "national_id": new.person.national_id,
        "full_name": "Đào Thị Mới", "date_of_birth": "1970-04-02", "sex": "F",
        "province_code": "01", "commune_code": "00070", "address": "Tổ 1",
        "category_codes": "DISABLED_SEVERE", "from_month": "2025-03", "reason": "",
    }]  # fmt: skip
    # Listed in the month it starts, not in the month before nor after.
    assert health_insurance(app, tmp_path, "2025-02")[1] == {"started": 0, "ended": 0}
    assert health_insurance(app, tmp_path, "2025-04")[1] == {"started": 0, "ended": 0}


def test_a_death_ends_the_entitlement_from_the_month_after(app, tmp_path):
    beneficiary = create_beneficiary(("ELDERLY_POOR_ALONE",), "2024-01",
                                     date_of_birth=date(1950, 5, 17))  # fmt: skip
    person = beneficiary.person
    record_death(
        DeathReport("KT-2025-000001", person.national_id, person.full_name, date(2025, 3, 14),
                    date(2025, 3, 16), "00070",
                    {"full_name": "Đỗ Thị Hoa", "national_id": "001190054321",
                     "relationship": "con"}),
        Actor.system("test"), "test", date(2025, 3, 16),
    )  # fmt: skip
    rows, figures = health_insurance(app, tmp_path, "2025-03")
    assert figures == {"started": 0, "ended": 1}
    (row,) = rows
    assert (row["change"], row["from_month"], row["reason"]) == ("END", "2025-04", "DEATH")
    # The categories held last.
    assert row["category_codes"] == "ELDERLY_POOR_ALONE"
    assert health_insurance(app, tmp_path, "2025-04")[1] == {"started": 0, "ended": 0}


def test_eligibility_lost_ends_the_entitlement_as_stopped(app, tmp_path):
    # A 5.1 child reaching 16 in May 2025, not studying: paid for May, not from June
    # (ND20 Art 8.2), with no decision needed.
    child = create_beneficiary(("CHILD_NO_SUPPORT",), "2023-01", date_of_birth=date(2009, 5, 5))
    # A stop decided: entitled up to February 2025 (TT02 Art 2.1).
    stopped = create_beneficiary(("HIV_POOR",), "2024-01", date_of_birth=date(1990, 1, 15),
                                 status="stopped", last_entitled_month=Month(2025, 2))  # fmt: skip
    rows, figures = health_insurance(app, tmp_path, "2025-05")
    assert figures == {"started": 0, "ended": 1}
    assert [(r["national_id"], r["change"], r["from_month"], r["reason"]) for r in rows] == [
        (child.person.national_id, "END", "2025-06", "STOPPED")
    ]
    rows, _ = health_insurance(app, tmp_path, "2025-02")
    assert [(r["national_id"], r["reason"], r["from_month"]) for r in rows] == [
        (stopped.person.national_id, "STOPPED", "2025-03")
    ]


def test_a_move_to_another_province_ends_the_entitlement_as_moved_out(app, tmp_path):
    # ND20 Art 8.4: the old commune (Hà Nội) pays through February; the person now lives
    # in Vũng Tàu (26506, another province).
    person = create_person(date_of_birth=date(1944, 12, 31), commune_code="26506",
                           full_name="Ông Văn Đức")  # fmt: skip
    create_beneficiary(("ELDERLY_COMMUNITY_CARE",), "2024-01", person=person,
                       commune_code="00070", status="stopped",
                       last_entitled_month=Month(2025, 2))  # fmt: skip
    rows, figures = health_insurance(app, tmp_path, "2025-02", "--province", "01")
    assert figures == {"started": 0, "ended": 1}
    (row,) = rows
    assert (row["reason"], row["province_code"], row["commune_code"]) == (
        "MOVED_OUT", "01", "00070")  # fmt: skip
    # Not in the other province's list: it never paid them.
    assert health_insurance(app, tmp_path, "2025-02", "--province", "42")[1] == {
        "started": 0, "ended": 0}  # fmt: skip


def test_a_category_continued_without_a_gap_is_no_change(app, tmp_path):
    # domain.md section 3: a 5.5.b beneficiary reaching 80 continues under 5.5.c from
    # the birthday month, with no new decision and no gap.
    create_beneficiary(
        (("ELDERLY_75_DIFFICULT_AREA", Month(2024, 1), Month(2025, 2)),
         ("ELDERLY_80_NO_PENSION", Month(2025, 3), None)),
        "2024-01", date_of_birth=date(1945, 3, 9),
    )  # fmt: skip
    for month in ("2025-02", "2025-03"):
        assert health_insurance(app, tmp_path, month)[1] == {"started": 0, "ended": 0}


def test_a_one_month_entitlement_starts_and_ends_and_rows_are_sorted(app, tmp_path):
    once = create_beneficiary(("HIV_POOR",), "2025-03", date_of_birth=date(1990, 1, 15),
                              status="stopped", last_entitled_month=Month(2025, 3))  # fmt: skip
    later = create_beneficiary(("HIV_POOR",), "2025-03", date_of_birth=date(1991, 1, 15),
                               commune_code="00004")  # fmt: skip
    south = create_beneficiary(("HIV_POOR",), "2025-03", date_of_birth=date(1992, 1, 15),
                               commune_code="26506")  # fmt: skip
    rows, figures = health_insurance(app, tmp_path, "2025-03")
    assert figures == {"started": 3, "ended": 1}
    assert [(r["commune_code"], r["national_id"], r["change"]) for r in rows] == [
        ("00004", later.person.national_id, "START"),
        ("00070", once.person.national_id, "START"),
        ("00070", once.person.national_id, "END"),
        ("26506", south.person.national_id, "START"),
    ]


def test_a_text_cell_never_starts_a_formula(app, tmp_path):
    create_beneficiary(("HIV_POOR",), "2025-03", date_of_birth=date(1990, 1, 15),
                       person=create_person(date_of_birth=date(1990, 1, 15),
                                            address="=HYPERLINK(1)"))  # fmt: skip
    rows, _ = health_insurance(app, tmp_path, "2025-03")
    assert rows[0]["address"] == "'=HYPERLINK(1)"


def test_a_bad_month_or_province_is_refused_with_a_reason(app, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "x.csv"
    bad_month = runner.invoke(args=["reports", "health-insurance", "--month", "2025-13",
                                    "--out", str(out)])  # fmt: skip
    assert bad_month.exit_code != 0 and not out.exists()
    bad_province = runner.invoke(args=["reports", "health-insurance", "--month", "2025-03",
                                       "--province", "99", "--out", str(out)])  # fmt: skip
    assert bad_province.exit_code != 0 and "99" in bad_province.stderr and not out.exists()


def staff(app, role, email, **places):
    create_staff_user(role, email, "Cán Bộ", PASSWORD, Actor.system("t"), **places)
    client = app.test_client()
    client.post("/login", data={"username": email, "password": PASSWORD})
    return client


@pytest.fixture
def starts_in_two_provinces():
    return {
        "00070": create_beneficiary(("HIV_POOR",), "2025-03", date_of_birth=date(1990, 1, 15)),
        "00004": create_beneficiary(("HIV_POOR",), "2025-03", date_of_birth=date(1991, 1, 15),
                                    commune_code="00004"),
        "26506": create_beneficiary(("HIV_POOR",), "2025-03", date_of_birth=date(1992, 1, 15),
                                    commune_code="26506"),
    }  # fmt: skip


def downloaded(response):
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_province_admin_downloads_the_province_list(app, starts_in_two_provinces):
    admin = staff(app, "admin", "admin@so.gov.vn", province_code="01")
    page = BeautifulSoup(admin.get("/reports/").data, "html.parser")
    link = page.select_one("#health-insurance-download")
    assert link is not None
    response = admin.get("/reports/health-insurance.csv?month=2025-03")
    assert response.headers["Content-Disposition"] == "attachment; filename=bhyt-2025-03-01.csv"
    assert sorted(r["commune_code"] for r in downloaded(response)) == ["00004", "00070"]


def test_commune_staff_download_their_commune_only(app, starts_in_two_provinces):
    officer = staff(app, "officer", "cb@xa.gov.vn", commune_code="00070")
    response = officer.get("/reports/health-insurance.csv?month=2025-03")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=bhyt-2025-03-00070.csv")  # fmt: skip
    assert [r["commune_code"] for r in downloaded(response)] == ["00070"]


def test_a_bad_month_in_the_download_is_a_clear_error(app):
    admin = staff(app, "admin", "admin@so.gov.vn", province_code="01")
    response = admin.get("/reports/health-insurance.csv?month=2025-13", follow_redirects=True)
    assert response.status_code == 200
    assert "YYYY-MM" in response.get_data(as_text=True)


def test_citizens_and_strangers_do_not_reach_the_reports(app, citizen, client):
    assert client.get("/reports/health-insurance.csv?month=2025-03").status_code == 404
    anonymous = app.test_client()
    assert anonymous.get("/reports/").status_code == 302


def test_an_age_reached_starts_the_entitlement_without_any_date_in_the_registry(app, tmp_path):
    # ND20 Art 8.1: 5.5.c from the month the person reaches 80 (born March 1945), though
    # the record and the category were written long before.
    person = create_beneficiary(("ELDERLY_80_NO_PENSION",), "2024-01",
                                date_of_birth=date(1945, 3, 9)).person  # fmt: skip
    rows, figures = health_insurance(app, tmp_path, "2025-03")
    assert figures == {"started": 1, "ended": 0}
    assert (rows[0]["national_id"], rows[0]["from_month"]) == (person.national_id, "2025-03")


def test_only_people_whose_months_differ_are_evaluated_and_none_is_missed(app, monkeypatch):
    """The list evaluates the entitlement only for people with a date, or an age window,
    near the month; evaluating everyone gives the same rows, month after month."""
    create_beneficiary(("CHILD_NO_SUPPORT",), "2023-01", date_of_birth=date(2009, 5, 5))
    create_beneficiary(("CHILD_NO_SUPPORT",), "2024-06", date_of_birth=date(2021, 3, 15))
    create_beneficiary(("ELDERLY_80_NO_PENSION",), "2024-01", date_of_birth=date(1945, 3, 9))
    create_beneficiary(("ELDERLY_POOR_ALONE",), "2024-01", date_of_birth=date(1965, 2, 2))
    create_beneficiary(("YOUTH_STUDYING",), "2024-01", date_of_birth=date(2003, 4, 1))
    create_beneficiary(("HIV_POOR",), "2025-02", date_of_birth=date(1990, 1, 15),
                       status="stopped", last_entitled_month=Month(2025, 4))  # fmt: skip
    create_beneficiary(
        (("ELDERLY_75_DIFFICULT_AREA", Month(2024, 1), Month(2025, 1)),
         ("ELDERLY_80_NO_PENSION", Month(2025, 2), None)),
        "2024-01", date_of_birth=date(1945, 2, 9),
    )  # fmt: skip
    from benefits.reports import health_insurance as module
    from benefits.reports.reading import reader

    def listed(month):
        rows = reader().execute(module.changes_select(month, module.Scope())).all()
        return [tuple(row) for row in rows]

    months = Month(2024, 11).until(Month(2025, 8))
    quick = {month: listed(month) for month in months}
    monkeypatch.setattr(module, "_rules_change_around", lambda _month: True)
    assert {month: listed(month) for month in months} == quick
    assert sum(len(rows) for rows in quick.values()) >= 6


def test_a_move_decided_under_nd20_art_8_4_ends_in_one_province_and_starts_in_the_other(
    app, tmp_path
):
    """The old commune's stop decision names February (M); the new commune (Vũng Tàu,
    another province) grants the same record again from March (ND20 Art 8.4.d)."""
    from benefits.cases.service import open_case
    from benefits.registry.lifecycle import MOVED_OUT as STOP_MOVED
    from benefits.registry.lifecycle import restart_allowance, stop_allowance
    from benefits.registry.models import BeneficiaryCategory, Decision

    actor = Actor.system("test")
    beneficiary = create_beneficiary(("HIV_POOR",), "2024-01", date_of_birth=date(1990, 1, 15))
    person = beneficiary.person
    case = open_case("MOVE-OUT-PROVINCE", "00070", person.full_name, actor, date(2025, 2, 3),
                     subject_national_id=person.national_id)  # fmt: skip
    stop = Decision(number="9/QĐ-UBND", signed_on=date(2025, 2, 10), commune_code="00070",
                    kind="stop", case_id=case.id, beneficiary_id=beneficiary.id)  # fmt: skip
    db.session.add(stop)
    db.session.flush()
    stop_allowance(beneficiary, Month(2025, 2), STOP_MOVED, actor, stop)
    rows, figures = health_insurance(app, tmp_path, "2025-02", "--province", "01")
    assert figures == {"started": 0, "ended": 1}
    assert (rows[0]["reason"], rows[0]["from_month"]) == ("MOVED_OUT", "2025-03")

    db.session.refresh(beneficiary)
    restart_allowance(beneficiary, "26506", {"payment_method": "COMMUNE"}, Month(2025, 3), actor)
    db.session.add(BeneficiaryCategory(beneficiary_id=beneficiary.id, category_code="HIV_POOR",
                                       from_month=Month(2025, 3)))  # fmt: skip
    db.session.flush()
    # Still the old province's END in February, and the new province's START in March.
    old, _ = health_insurance(app, tmp_path, "2025-02", "--province", "01")
    assert [(r["change"], r["commune_code"], r["reason"]) for r in old] == [
        ("END", "00070", "MOVED_OUT")]  # fmt: skip
    new, figures = health_insurance(app, tmp_path, "2025-03", "--province", "79")
    assert figures == {"started": 1, "ended": 0}
    assert [(r["change"], r["commune_code"], r["from_month"], r["category_codes"])
            for r in new] == [("START", "26506", "2025-03", "HIV_POOR")]  # fmt: skip
    assert health_insurance(app, tmp_path, "2025-03", "--province", "01")[1] == {
        "started": 0, "ended": 0}  # fmt: skip
