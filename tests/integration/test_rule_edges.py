"""Two rules found wrong on edge cases (issue 25 item 7; domain.md sections 3 and 4;
decisions 160 and 161): funeral support for a death before 2021-07, a date no rule
covers, and a 5.5.b beneficiary reaching 80."""

from datetime import date

import pytest
import time_machine
from sqlalchemy import select

from benefits.accounts.audit import Actor
from benefits.cases.models import Case
from benefits.deaths.models import DeathRecord
from benefits.deaths.service import DeathReport, record_death
from benefits.extensions import db
from benefits.month import Month
from benefits.payments.generation import generate_batch
from benefits.payments.models import PaymentLine
from benefits.payments.service import lock_batch
from benefits.rules.standard import one_off_amount
from tests.builders import create_beneficiary
from tests.integration.test_case_decisions import MONDAY, page_of, reread, staff_client


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def officer(app, clock):
    return staff_client(app, "officer", "officer@xa.gov.vn")


@pytest.fixture
def chairman(app, clock):
    return staff_client(app, "chairman", "chairman@xa.gov.vn")


def _death(deceased, died: date, number: str):
    report = DeathReport(
        registration_number=number, national_id=deceased.person.national_id,
        full_name=deceased.person.full_name, date_of_death=died,
        registered_on=date(2025, 3, 3), commune_code="00070",
        declarant={"full_name": "Đỗ Thị Hoa", "national_id": "001190054321",
                   "relationship": "con"},
    )  # fmt: skip
    record_death(report, Actor.system("test"), "test", date(2025, 3, 3))
    db.session.commit()
    return db.session.scalar(select(Case).where(Case.procedure_code == "1.001731"))


def test_funeral_support_before_2021_07_is_20_times_270_000_and_is_paid():
    """Decree 136/2013 Art 11 gave the same 20 × from 2014-01 (domain.md section 4)."""
    assert one_off_amount("FUNERAL", "01", date(2021, 6, 30)) == 5_400_000
    assert one_off_amount("FUNERAL", "01", date(2014, 1, 1)) == 5_400_000
    assert one_off_amount("FUNERAL", "01", date(2021, 7, 1)) == 7_200_000
    assert one_off_amount("FUNERAL", "01", date(2024, 7, 1)) == 10_000_000


def test_a_death_in_2020_opens_the_funeral_case_at_5_400_000_and_the_batch_pays_it(
    clock, officer, chairman
):
    deceased = create_beneficiary(categories=("ELDERLY_80_NO_PENSION",),
                                  date_of_birth=date(1935, 1, 5), full_name="Vũ Văn Bảy",
                                  effective_month="2019-01")  # fmt: skip
    case = _death(deceased, date(2020, 5, 10), "KT-2020-1")
    assert case.amount == 5_400_000
    officer.post(f"/officer/cases/{case.code}/check")
    officer.post(f"/officer/cases/{case.code}/propose", data={"outcome": "approve"})
    chairman.post(f"/officer/cases/{case.code}/decide", data={"outcome": "approve"})
    assert reread(case).status == "approved"
    batch = generate_batch(Month(2025, 4), "commune", "00070", Actor.system("test"))
    [funeral] = db.session.scalars(select(PaymentLine).where(
        PaymentLine.batch_id == batch.id, PaymentLine.kind == "FUNERAL"))  # fmt: skip
    assert funeral.one_off_amount == 5_400_000


def test_a_death_no_rule_covers_is_recorded_and_its_case_opens_without_an_amount_flagged(
    clock, officer
):
    """A date before any rule (2013) is never a server error: the death is recorded, the
    allowance stops, the case opens without an amount, and the officer is told in words;
    proposing it says why it cannot be approved and changes nothing."""
    deceased = create_beneficiary(categories=("ELDERLY_80_NO_PENSION",),
                                  date_of_birth=date(1930, 1, 5), full_name="Lê Văn Tám",
                                  effective_month="2013-01")  # fmt: skip
    case = _death(deceased, date(2013, 11, 2), "KT-2013-1")
    record = db.session.scalar(select(DeathRecord))
    assert record.status == "effective"
    db.session.refresh(deceased)
    assert deceased.status == "deceased"
    assert case is not None and case.amount is None
    page = page_of(officer.get(f"/officer/cases/{case.code}"))
    flag = page.select_one("#amount-missing").get_text(" ", strip=True)
    assert "Chưa xác định" in flag and "mức chuẩn" in flag
    officer.post(f"/officer/cases/{case.code}/check")
    response = officer.post(f"/officer/cases/{case.code}/propose", data={"outcome": "approve"})
    assert response.status_code < 500
    assert "02/11/2013" in page_of(response).get_text(" ", strip=True)
    assert reread(case).status == "checking" and reread(case).amount is None


def test_the_death_api_records_a_death_no_rule_covers_and_answers_without_an_amount(client):
    from benefits.api.clients import create_client

    token = create_client("civil-registry", Actor.system("test"))
    deceased = create_beneficiary(
        categories=("ELDERLY_80_NO_PENSION",),
        date_of_birth=date(1930, 1, 5),
        effective_month="2013-01",
    )
    response = client.post("/api/v1/civil-registry/deaths", json={
        "registration_number": "KT-2013-000123", "national_id": deceased.person.national_id,
        "full_name": deceased.person.full_name, "date_of_death": "2013-11-02",
        "registered_on": "2013-11-05", "commune_code": "00070",
        "declarant": {"full_name": "Nguyễn Thị B", "national_id": "001190054321"},
    }, headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert response.status_code == 201
    assert response.get_json()["funeral_allowance"]["amount"] is None
    assert response.get_json()["beneficiary"]["last_entitled_month"] == "2013-11"


def _monthly_line(batch, beneficiary):
    return db.session.scalar(
        select(PaymentLine).where(
            PaymentLine.batch_id == batch.id, PaymentLine.beneficiary_id == beneficiary.id
        )
    )


def test_a_5_5_b_beneficiary_reaching_80_continues_under_5_5_c_with_no_gap():
    """domain.md section 3: from the birthday month, no new decision, no gap, after
    2025-07 too (not a new entrant). Born 10 May 1946: 80 in May 2026. The registry holds
    5.5.b only; the batches of May and June 2026 pay 1.0 × 500,000 each, June's under
    5.5.c, with no arrears (nothing was missed)."""
    person = create_beneficiary(
        categories=("ELDERLY_75_DIFFICULT_AREA",), effective_month="2026-04",
        date_of_birth=date(1946, 5, 10), full_name="Trần Văn Chín",
    )  # fmt: skip
    actor = Actor.system("test")
    lines = {}
    for month in (Month(2026, 4), Month(2026, 5), Month(2026, 6)):
        batch = generate_batch(month, "commune", "00070", actor)
        lines[month] = _monthly_line(batch, person)
        lock_batch(batch.id, actor)
        db.session.commit()
    for month, line in lines.items():
        assert line is not None, f"nothing paid in {month}"
        assert (line.monthly_amount, line.arrears_amount, line.coefficient_pct) == (
            500_000, 0, 100)  # fmt: skip
    assert lines[Month(2026, 4)].category_codes == "ELDERLY_75_DIFFICULT_AREA"
    assert set(lines[Month(2026, 5)].category_codes.split(";")) <= {
        "ELDERLY_75_DIFFICULT_AREA", "ELDERLY_80_NO_PENSION"}  # fmt: skip
    assert lines[Month(2026, 6)].category_codes == "ELDERLY_80_NO_PENSION"


def test_a_5_5_b_holder_who_also_holds_5_5_c_is_listed_under_it_once():
    person = create_beneficiary(
        categories=("ELDERLY_75_DIFFICULT_AREA", "ELDERLY_80_NO_PENSION"),
        effective_month="2024-01", date_of_birth=date(1946, 5, 10),
    )  # fmt: skip
    batch = generate_batch(Month(2026, 6), "commune", "00070", Actor.system("test"))
    line = _monthly_line(batch, person)
    assert (line.category_codes, line.monthly_amount) == ("ELDERLY_80_NO_PENSION", 500_000)
