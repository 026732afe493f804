"""Overpayments are recovered, not only listed (issue 25 item 8; domain.md 5.4;
decision 172): on the beneficiary's page the commune officer records a repayment (amount,
date) or waives the rest with a reason; what remains shows there and in the batch report."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from benefits.accounts.audit import Actor
from benefits.accounts.models import AuditEntry
from benefits.accounts.service import create_staff_user
from benefits.deaths.service import DeathReport, record_death
from benefits.extensions import db
from benefits.month import Month
from benefits.payments.generation import generate_batch
from benefits.payments.models import Overpayment, OverpaymentRecovery, PaymentLine
from benefits.payments.service import lock_batch, reconcile_batch
from tests.builders import PASSWORD, create_beneficiary
from tests.integration.test_case_decisions import staff_client
from tests.integration.test_citizen_withdrawal import logged_in_opener, post
from tests.integration.test_death_concurrency import server  # noqa: F401 (fixture)

SYSTEM = Actor.system("test")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime(2025, 3, 20, 2, 0, tzinfo=UTC), tick=False):
        yield


def page_of(response):
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.data, "html.parser")


def words(node) -> str:
    return " ".join(node.get_text(" ").split())


@pytest.fixture
def overpaid(tmp_path):
    return an_overpayment(tmp_path)


def an_overpayment(tmp_path):
    """Trần Văn Lão, 5.5.a from January 2025 (750,000 a month): February's batch paid
    January and February; his death on 20 January, learned after, makes February's
    750,000 an overpayment to recover."""
    elder = create_beneficiary(categories=("ELDERLY_POOR_ALONE",), effective_month="2025-01",
                               full_name="Trần Văn Lão")  # fmt: skip
    batch = lock_batch(generate_batch(Month.parse("2025-02"), "commune", "00070", SYSTEM).id,
                       SYSTEM)  # fmt: skip
    line = db.session.scalar(select(PaymentLine).where(PaymentLine.batch_id == batch.id))
    result = tmp_path / "result.csv"
    result.write_text(f"line_no,national_id,status,paid_on\n{line.line_no},{line.national_id},"
                      "PAID,2025-02-05\n", encoding="utf-8")  # fmt: skip
    reconcile_batch(batch.id, result, SYSTEM, report=lambda _row: None)
    record_death(DeathReport(
        registration_number="KT-LAO", national_id=elder.person.national_id,
        full_name=elder.person.full_name, date_of_death=date(2025, 1, 20),
        registered_on=date(2025, 3, 1), commune_code="00070",
        declarant={"full_name": "Trần Thị Con", "national_id": "001190054321",
                   "relationship": "con"}), SYSTEM, "test", date(2025, 3, 1))  # fmt: skip
    [overpayment] = db.session.scalars(select(Overpayment)).all()
    assert overpayment.amount == 750_000
    return elder, overpayment, batch


@pytest.fixture
def officer(app):
    return staff_client(app, "officer", "officer@xa.gov.vn")


def section(client, elder, overpayment):
    page = page_of(client.get(f"/officer/registry/{elder.code}"))
    return page.select_one(f"#overpayment-{overpayment.id}")


def flashed(response) -> list[str]:
    return [words(p) for p in page_of(response).select("main > .notice")]


def test_repayments_bring_down_what_remains_on_the_page_and_in_the_batch_report(
    app, officer, overpaid
):
    elder, overpayment, batch = overpaid
    url = f"/officer/registry/{elder.code}/overpayments/{overpayment.id}/repayment"
    response = officer.post(url, data={"amount": "300.000", "on_date": "2025-03-18"},
                            follow_redirects=True)  # fmt: skip
    assert flashed(response) == ["Đã ghi nhận khoản hoàn trả."]
    shown = section(officer, elder, overpayment)
    assert words(shown.select_one(".remaining")) == "450.000 ₫"
    assert "18/03/2025" in words(shown.select_one(".recoveries")) and "300.000 ₫" in words(shown)
    audit = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "payments.overpayment_repayment")).all()  # fmt: skip
    assert [(a.object_id, a.changes["amount"], a.changes["remaining"]) for a in audit] == [
        (elder.code, 300_000, 450_000)]  # fmt: skip
    payment = staff_client(app, "payment", "payment@xa.gov.vn")
    report = page_of(payment.get(f"/payments/batches/{batch.id}"))
    assert "450.000 ₫" in words(report)
    # The rest: recovered, no form left, and no longer in the batch report.
    officer.post(url, data={"amount": "450000", "on_date": "2025-03-19"})
    shown = section(officer, elder, overpayment)
    assert words(shown.select_one(".remaining")) == "0 ₫"
    assert shown.select_one("form") is None
    db.session.expire_all()
    assert db.session.get(Overpayment, overpayment.id).status == "recovered"
    report = page_of(payment.get(f"/payments/batches/{batch.id}"))
    assert "450.000 ₫" not in words(report)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": "900.000", "on_date": "2025-03-18"}, "750.000 ₫"),  # more than remains
        ({"amount": "mười nghìn", "on_date": "2025-03-18"}, "đồng chẵn"),
        ({"amount": "0", "on_date": "2025-03-18"}, "đồng chẵn"),
        ({"amount": "100000", "on_date": "2025-04-01"}, "hôm nay"),
        ({"amount": "100000", "on_date": ""}, "ngày"),
    ],
)
def test_a_wrong_repayment_is_refused_with_a_message_and_changes_nothing(
    officer, overpaid, data, message
):
    elder, overpayment, _batch = overpaid
    response = officer.post(
        f"/officer/registry/{elder.code}/overpayments/{overpayment.id}/repayment", data=data,
        follow_redirects=True,
    )  # fmt: skip
    assert response.status_code == 200
    errors = [words(p) for p in page_of(response).select("main > .notice-error")]
    assert any(message in e for e in errors), errors
    db.session.expire_all()
    assert db.session.get(Overpayment, overpayment.id).recovered_amount == 0
    assert db.session.scalars(select(OverpaymentRecovery)).all() == []


def test_the_rest_is_waived_only_with_a_reason(officer, overpaid):
    elder, overpayment, _batch = overpaid
    url = f"/officer/registry/{elder.code}/overpayments/{overpayment.id}/waiver"
    officer.post(f"/officer/registry/{elder.code}/overpayments/{overpayment.id}/repayment",
                 data={"amount": "250000", "on_date": "2025-03-10"})  # fmt: skip
    refused = officer.post(url, data={"reason": "  "}, follow_redirects=True)
    assert any("lý do" in e for e in flashed(refused)), flashed(refused)
    db.session.expire_all()
    assert db.session.get(Overpayment, overpayment.id).status == "to_recover"
    officer.post(url, data={"reason": "Gia đình hộ nghèo, Chủ tịch UBND xã đồng ý miễn"})
    db.session.expire_all()
    found = db.session.get(Overpayment, overpayment.id)
    assert (found.status, found.recovered_amount, found.waived_amount) == ("waived", 250_000,
                                                                           500_000)  # fmt: skip
    shown = section(officer, elder, overpayment)
    assert words(shown.select_one(".remaining")) == "0 ₫"
    assert "Gia đình hộ nghèo" in words(shown.select_one(".recoveries"))
    page = page_of(officer.get(f"/officer/registry/{elder.code}"))
    trail = words(page)
    assert "Khoản chi thừa: đã miễn phần còn lại" in trail
    assert "Khoản chi thừa: ghi nhận hoàn trả" in trail
    # A second waiver, a later repayment: refused, nothing more recorded.
    again = officer.post(url, data={"reason": "lần nữa"}, follow_redirects=True)
    assert flashed(again)
    assert len(db.session.scalars(select(OverpaymentRecovery)).all()) == 2


def test_another_commune_s_officer_finds_no_such_overpayment(app, overpaid):
    elder, overpayment, _batch = overpaid
    other = staff_client(app, "officer", "other@xa.gov.vn", commune="00004")
    response = other.post(
        f"/officer/registry/{elder.code}/overpayments/{overpayment.id}/repayment",
        data={"amount": "100000", "on_date": "2025-03-18"},
    )  # fmt: skip
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Overpayment, overpayment.id).recovered_amount == 0


def test_the_database_never_recovers_more_than_was_overpaid(overpaid):
    _elder, overpayment, _batch = overpaid
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(text("UPDATE overpayments SET recovered_amount = 500000, "
                                "waived_amount = 250001 WHERE id = :id"),
                           {"id": overpayment.id})  # fmt: skip


@pytest.mark.postgres
def test_the_whole_rest_repaid_twice_at_the_same_moment_is_recorded_once(server, tmp_path):  # noqa: F811
    elder, overpayment, _batch = an_overpayment(tmp_path)
    create_staff_user("officer", "officer@xa.gov.vn", "Nguyễn Văn Officer", PASSWORD, SYSTEM,
                      commune_code="00070")  # fmt: skip
    db.session.commit()
    opener = logged_in_opener(server, "officer@xa.gov.vn")
    url = f"{server}/officer/registry/{elder.code}/overpayments/{overpayment.id}/repayment"
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(
            lambda _: post(opener, url, {"amount": "750000", "on_date": "2025-03-18"}),
            range(6)))  # fmt: skip
    assert statuses == [302] * 6
    db.session.remove()
    found = db.session.get(Overpayment, overpayment.id)
    assert (found.status, found.recovered_amount) == ("recovered", 750_000)
    assert len(db.session.scalars(select(OverpaymentRecovery)).all()) == 1
    assert len(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "payments.overpayment_repayment")).all()) == 1  # fmt: skip
