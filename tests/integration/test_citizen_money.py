"""The citizen sees their money (issue 25 item 9; domain.md sections 2 and 6; decision 170):
the monthly amount, from which month, where and how to collect it, and what each batch
paid, on the dossier that granted it and on "my payments"; nobody else's."""

from datetime import UTC, datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from sqlalchemy import select

from benefits.accounts.audit import Actor
from benefits.cases.models import Case
from benefits.extensions import db
from benefits.month import Month
from benefits.payments.generation import generate_batch
from benefits.payments.models import Overpayment, PaymentLine
from benefits.payments.service import lock_batch, reconcile_batch
from benefits.registry.models import Decision
from tests.builders import create_beneficiary, create_person

SYSTEM = Actor.system("test")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime(2025, 3, 20, 2, 0, tzinfo=UTC), tick=False):
        yield


def page_of(response):
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.data, "html.parser")


def text_of(response) -> str:
    return " ".join(page_of(response).get_text(" ").split())


def in_english(client, url):
    client.get("/language/en")
    try:
        return page_of(client.get(url))
    finally:
        client.get("/language/vi")


def english_text(client, url) -> str:
    return " ".join(in_english(client, url).get_text(" ").split())


def paid_batch(month: str, tmp_path, statuses: dict):
    """The commune's batch of ``month``, locked, and the post office's answer for the
    lines of the beneficiaries in ``statuses`` (``PAID`` or ``UNPAID``)."""
    batch = lock_batch(generate_batch(Month.parse(month), "commune", "00070", SYSTEM).id, SYSTEM)
    rows = ["line_no,national_id,status,paid_on"]
    for line in db.session.scalars(select(PaymentLine).where(PaymentLine.batch_id == batch.id)):
        status = statuses.get(line.beneficiary_id)
        if status:
            paid_on = f"{month}-05" if status == "PAID" else ""
            rows.append(f"{line.line_no},{line.national_id},{status},{paid_on}")
    result = tmp_path / f"result-{month}.csv"
    result.write_text("\n".join(rows) + "\n", encoding="utf-8")
    reconcile_batch(batch.id, result, SYSTEM, report=lambda _row: None)
    return batch


@pytest.fixture
def own(citizen):
    """The citizen's own allowance (5.6, extremely severe disability) from January 2025,
    collected at the post office's payment point PO-HK-01."""
    return create_beneficiary(categories=("DISABLED_EXTREMELY_SEVERE",), effective_month="2025-01",
                              person=_person_of(citizen), payment_point="PO-HK-01")  # fmt: skip


def _person_of(user):
    return create_person(national_id=user.national_id, full_name=user.full_name,
                         date_of_birth=user.date_of_birth, sex=user.sex)  # fmt: skip


def test_my_payments_shows_the_amount_where_to_collect_and_what_each_batch_paid(
    client, own, tmp_path
):
    paid_batch("2025-02", tmp_path, {own.id: "PAID"})
    paid_batch("2025-03", tmp_path, {own.id: "UNPAID"})
    home = page_of(client.get("/me/"))
    assert home.select_one("a[href='/me/payments']")
    text = english_text(client, "/me/payments")
    # 5.6 extremely severe disability: coefficient 2.0 × 500,000 (ND20 Art 6.1)
    assert "Monthly amount 1,000,000 ₫" in text
    assert "Paid from Jan 2025" in text
    assert "In cash at the post office, payment point PO-HK-01" in text
    # February's batch paid February and January's arrears; March's was not collected.
    page = page_of(client.get("/me/payments"))
    rows = [" ".join(r.get_text(" ").split()) for r in page.select("tbody tr")]
    assert len(rows) == 2
    assert rows[0].startswith("03/2025") and "1.000.000 ₫" in rows[0]
    assert rows[1].startswith("02/2025") and "(01/2025)" in rows[1]  # January's arrears
    assert "Đã chi trả (05/02/2025)" in rows[1]
    english = in_english(client, "/me/payments")
    rows_en = [" ".join(r.get_text(" ").split()) for r in english.select("tbody tr")]
    assert "Unpaid (carried into the next batch)" in rows_en[0]
    assert "Paid (" in rows_en[1] and "2,000,000 ₫" in rows_en[1]


def test_a_payee_sees_the_record_they_collect_and_nobody_sees_another_s(client, citizen, own):
    mother = create_beneficiary(categories=("ELDERLY_POOR_ALONE",), effective_month="2025-01",
                                full_name="Hoàng Thị Mẹ", payee_name=citizen.full_name,
                                payee_national_id=citizen.national_id)  # fmt: skip
    stranger = create_beneficiary(categories=("ELDERLY_POOR_ALONE",), effective_month="2025-01",
                                  full_name="Người Lạ")  # fmt: skip
    text = english_text(client, "/me/payments")
    assert own.code in text and mother.code in text
    assert "You collect it for Hoàng Thị Mẹ" in text
    assert stranger.code not in text and "Người Lạ" not in text
    assert client.get(f"/me/payments/{mother.code}").status_code == 200
    assert client.get(f"/me/payments/{stranger.code}").status_code == 404


def test_the_approved_dossier_says_how_much_from_when_and_where(client, citizen, own):
    decision = Decision(number="7/QĐ-UBND", signed_on=datetime(2025, 1, 10).date(),
                        commune_code="00070", kind="grant", beneficiary_id=own.id)  # fmt: skip
    db.session.add(decision)
    db.session.flush()
    case = Case(code="HS-MONEY-1", procedure_code="1.001776", status="approved",
                applicant_user_id=citizen.id, subject_name=citizen.full_name,
                subject_national_id=citizen.national_id, commune_code="00070",
                decision_id=decision.id)  # fmt: skip
    db.session.add(case)
    db.session.flush()
    text = english_text(client, f"/me/dossiers/{case.code}")
    assert "Your allowance" in text
    assert "Paid from Jan 2025" in text
    assert "payment point PO-HK-01" in text
    page = page_of(client.get(f"/me/dossiers/{case.code}"))
    assert page.select_one(f"a[href='/me/payments/{own.code}']")


def test_what_remains_to_pay_back_shows_on_my_payments(client, own, tmp_path):
    batch = paid_batch("2025-02", tmp_path, {own.id: "PAID"})
    line = db.session.scalar(select(PaymentLine).where(PaymentLine.batch_id == batch.id))
    db.session.add(Overpayment(beneficiary_id=own.id, batch_id=batch.id, line_id=line.id,
                               months="2025-02", amount=1_000_000, recovered_amount=400_000,
                               reason="reported unpaid, then paid"))  # fmt: skip
    db.session.flush()
    page = page_of(client.get("/me/payments"))
    assert " ".join(page.select_one(".to-repay").get_text(" ").split()).endswith(
        "600.000 ₫ còn phải nộp lại cho Ủy ban nhân dân xã."
    )
