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
