"""A beneficiary's life after the grant, as the officer, the chairman and the citizen see
it (issue 25 items 2 and 3; domain.md section 2; TT02 Art 2.1, 2.3, 6.1.b; decision 90)."""

import io
from datetime import UTC, datetime

import pytest
import time_machine
from pypdf import PdfReader
from sqlalchemy import select

from benefits.accounts.audit import Actor
from benefits.cases.models import Case
from benefits.extensions import db
from benefits.month import Month
from benefits.payments.generation import generate_batch
from benefits.payments.models import PaymentLine
from benefits.procedures.models import PostingSetting
from benefits.registry.lifecycle import suspend_allowance
from benefits.registry.models import Beneficiary
from tests.builders import create_beneficiary
from tests.integration.test_case_decisions import (
    errors_of,
    flashes,
    log_in,
    page_of,
    staff_client,
)

SYSTEM = Actor.system("test")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime(2025, 3, 6, 2, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def officer(app):
    return staff_client(app, "officer", "officer@xa.gov.vn")


@pytest.fixture
def chairman(app):
    return staff_client(app, "chairman", "chairman@xa.gov.vn")


@pytest.fixture
def elder():
    """Trần Văn Lão (001050000123), 5.5.a from January 2025: 750,000 a month."""
    db.session.add(PostingSetting(procedure_code="1.001776", province_code="01",
                                  public_posting=False))  # fmt: skip
    return create_beneficiary(categories=("ELDERLY_POOR_ALONE",), effective_month="2025-01",
                              full_name="Trần Văn Lão", national_id="001050000123")  # fmt: skip


def allowance_line(month: Month, beneficiary) -> PaymentLine | None:
    batch = generate_batch(month, "commune", "00070", SYSTEM)
    return db.session.scalar(select(PaymentLine).where(
        PaymentLine.batch_id == batch.id, PaymentLine.beneficiary_id == beneficiary.id,
        PaymentLine.kind == "ALLOWANCE"))  # fmt: skip


def dossier_of(beneficiary) -> Case:
    return db.session.scalars(
        select(Case).where(Case.subject_national_id == beneficiary.person.national_id)
    ).all()[-1]


def test_an_officer_opens_a_stop_the_chairman_signs_and_the_next_batch_leaves_the_person_out(
    elder, officer, chairman
):
    page = page_of(officer.get(f"/officer/registry/{elder.code}"))
    assert page.select_one("form[action$='/dossier']")
    response = officer.post(f"/officer/registry/{elder.code}/dossier",
                            data={"request": "stop", "details": "Chấp hành án tù"})  # fmt: skip
    case = dossier_of(elder)
    assert response.headers["Location"].endswith(f"/officer/cases/{case.code}#propose")
    assert (case.status, case.origin, case.data["request"]) == ("checking", "officer", "stop")
    text = page_of(officer.get(f"/officer/cases/{case.code}")).get_text(" ")
    assert "Thôi hưởng" in text and "Chấp hành án tù" in text
    # Without a reason: refused next to the field, nothing proposed.
    response = officer.post(f"/officer/cases/{case.code}/propose",
                            data={"outcome": "approve", "from_month": "2025-03"})  # fmt: skip
    assert "lý do thôi hưởng" in errors_of(response)["stop_reason"]
    officer.post(f"/officer/cases/{case.code}/propose", data={
        "outcome": "approve", "from_month": "2025-03", "stop_reason": "prison"})  # fmt: skip
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "proposed"
    response = chairman.post(f"/officer/cases/{case.code}/decide", data={"outcome": "approve"},
                             follow_redirects=True)  # fmt: skip
    assert "đã được ký" in " ".join(flashes(response))
    db.session.expire_all()
    record = db.session.get(Beneficiary, elder.id)
    assert (record.status, record.last_entitled_month) == ("stopped", Month(2025, 3))
    assert allowance_line(Month(2025, 3), elder).total_amount == 3 * 750_000
    assert allowance_line(Month(2025, 4), elder) is None
    # The letter says what the decision does, and from when.
    pdf = officer.get(f"/officer/cases/{case.code}/decision.pdf")
    letter = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Thôi hưởng trợ cấp xã hội hằng tháng" in letter
    assert "Đang chấp hành án phạt tù" in letter and "từ tháng 04/2025" in letter
    # Issue 25 item 5: the record's page tells its history, each change with its decision.
    db.session.commit()
    page = page_of(officer.get(f"/officer/registry/{elder.code}"))
    history = [r.get_text(" ", strip=True) for r in page.select("#history + div tbody tr")]
    [stop] = [h for h in history if "Thôi hưởng trợ cấp" in h]
    assert "Đang chấp hành án phạt tù" in stop and "03/2025" in stop
    link = page.select_one(f"#history + div a[href$='/officer/cases/{case.code}']")
    assert link.get_text(strip=True) == db.session.get(Case, case.id).decision.number
    paid = page.select_one("#payments + div tbody tr").get_text(" ", strip=True)
    assert "2025-01;2025-02" in paid and "2.250.000" in paid


def test_a_citizen_asks_for_a_new_payment_point_and_the_next_batch_pays_there(
    elder, client, citizen, officer, chairman
):
    response = client.post("/me/allowance/change", data={
        "national_id": "001050000123", "request": "adjust", "relationship": "",
        "details": "Bố tôi chuyển sang nhận ở bưu điện Hoàn Kiếm."})  # fmt: skip
    assert "Nêu quan hệ của bạn với người này." in errors_of(response)["relationship"]
    response = client.post("/me/allowance/change", data={
        "national_id": "001050000123", "request": "adjust", "relationship": "con",
        "details": "Bố tôi chuyển sang nhận ở bưu điện Hoàn Kiếm."})  # fmt: skip
    case = dossier_of(elder)
    assert response.headers["Location"].endswith(f"/me/dossiers/{case.code}")
    assert (case.status, case.declarant_name) == ("submitted", "Hoàng Thị Dân")
    officer.post(f"/officer/cases/{case.code}/check")
    form = page_of(officer.get(f"/officer/cases/{case.code}")).select_one("#propose")
    # Nothing is pre-filled for the way of payment: left blank, it stays as it is.
    assert form.select_one("#payment_method option[selected]")["value"] == ""
    officer.post(f"/officer/cases/{case.code}/propose", data={
        "outcome": "approve", "from_month": "2025-03", "payment_point": "PO-HK-09"})  # fmt: skip
    chairman.post(f"/officer/cases/{case.code}/decide", data={"outcome": "approve"})
    db.session.expire_all()
    assert db.session.get(Case, case.id).decision.kind == "adjust"
    line = allowance_line(Month(2025, 3), elder)
    assert (line.payment_method, line.payment_point) == ("POST", "PO-HK-09")


def test_a_citizen_cannot_ask_about_an_id_number_that_receives_nothing(client, citizen):
    response = client.post("/me/allowance/change", data={
        "national_id": "001050000999", "request": "stop", "relationship": "con",
        "details": "Đã mất"})  # fmt: skip
    assert "Không có trợ cấp nào" in errors_of(response)["national_id"]
    assert db.session.scalar(select(Case.id)) is None


def test_the_suspended_list_resumes_a_person_and_the_held_months_are_paid(elder, officer, clock):
    """TT02 Art 2.3.a and 6.1.b: suspended after 3 batches uncollected; resumed in May,
    the months held (March, April) are paid with May."""
    assert allowance_line(Month(2025, 2), elder).arrears_months == "2025-01"
    suspend_allowance(elder, "unpaid_three_batches", SYSTEM)
    db.session.commit()
    rows = page_of(officer.get("/officer/suspended")).select("#suspended tbody tr")
    assert len(rows) == 1 and "Trần Văn Lão" in rows[0].get_text()
    assert allowance_line(Month(2025, 3), elder) is None
    clock.move_to(datetime(2025, 5, 6, 2, 0, tzinfo=UTC))
    log_in(officer, "officer@xa.gov.vn")  # two months without a request end a session
    response = officer.post(f"/officer/registry/{elder.code}/resume", follow_redirects=True)
    assert "Trần Văn Lão" in " ".join(flashes(response))
    db.session.expire_all()
    assert db.session.get(Beneficiary, elder.id).status == "active"
    line = allowance_line(Month(2025, 5), elder)
    assert (line.monthly_amount, line.arrears_months) == (750_000, "2025-03;2025-04")
    # Resumed twice: nothing changes, the officer is told.
    response = officer.post(f"/officer/registry/{elder.code}/resume", follow_redirects=True)
    assert "đang được chi trả" in " ".join(flashes(response))


def test_propose_a_stop_from_the_suspended_list_opens_the_stop_with_its_reason(elder, officer):
    suspend_allowance(elder, "unpaid_three_batches", SYSTEM)
    db.session.commit()
    officer.post(f"/officer/registry/{elder.code}/dossier", data={"request": "stop"})
    case = dossier_of(elder)
    form = page_of(officer.get(f"/officer/cases/{case.code}")).select_one("#propose")
    chosen = form.select_one("#stop_reason option[selected]")
    assert chosen["value"] == "unheeded_suspension"


def test_another_commune_s_officer_cannot_touch_the_record(app, elder):
    other = staff_client(app, "officer", "officer@vungtau.gov.vn", commune="26506")
    assert other.post(f"/officer/registry/{elder.code}/dossier",
                      data={"request": "stop"}).status_code == 404  # fmt: skip
    assert other.post(f"/officer/registry/{elder.code}/resume").status_code == 404
    assert "Trần Văn Lão" not in other.get("/officer/suspended").get_data(as_text=True)
    assert db.session.scalar(select(Case.id)) is None


def test_the_chairman_may_read_but_not_open_a_dossier_about_a_record(elder, chairman):
    assert chairman.post(f"/officer/registry/{elder.code}/dossier",
                         data={"request": "stop"}).status_code == 404  # fmt: skip
