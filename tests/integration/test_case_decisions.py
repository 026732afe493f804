"""After checking: the officer proposes, the proposal is posted publicly, complaints are
answered, the chairman decides (ND20 Art 8.1 as since 1 July 2025; domain.md section 2,
steps 3 and 4; decision 78). What the decision grants reaches the registry and the next
payment batch."""

import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from pypdf import PdfReader
from sqlalchemy import func, select

from benefits.accounts.audit import Actor
from benefits.accounts.models import AuditEntry
from benefits.accounts.service import create_staff_user
from benefits.cases.models import Case, CaseComplaint
from benefits.deaths.service import DeathReport, record_death
from benefits.extensions import db
from benefits.month import Month
from benefits.notify.models import Notification
from benefits.payments.generation import generate_batch
from benefits.payments.models import PaymentLine
from benefits.people.models import Person
from benefits.procedures.models import PostingSetting
from benefits.registry.models import Beneficiary, BeneficiaryCategory, Decision
from tests.builders import PASSWORD, create_beneficiary

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
# Monday 3 March 2025, 09:00 in Hà Nội (02:00 UTC); the posting's 2 working days are the
# 4th and the 5th.
MONDAY = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)
THURSDAY = datetime(2025, 3, 6, 2, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


def errors_of(response):
    return {p.parent.get("id", "").removesuffix("-field"): p.get_text(" ", strip=True)
            for p in page_of(response).select(".error-message")}  # fmt: skip


def flashes(response):
    return [p.get_text(" ", strip=True) for p in page_of(response).select(".flash, .notice")]


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def staff_client(app, role, email, commune="00070"):
    create_staff_user(role, email, f"Nguyễn Văn {role.title()}", PASSWORD, Actor.system("test"),
                      commune_code=commune)  # fmt: skip
    return log_in(app.test_client(), email)


def log_in(client, username):
    client.set_cookie("lang", "vi")
    client.post("/login", data={"username": username, "password": PASSWORD})
    return client


@pytest.fixture
def officer(app, clock):
    return staff_client(app, "officer", "officer@xa.gov.vn")


@pytest.fixture
def chairman(app, clock):
    return staff_client(app, "chairman", "chairman@xa.gov.vn")


def chairman_id():
    from benefits.accounts.models import User

    return db.session.scalar(select(User.id).where(User.email == "chairman@xa.gov.vn"))


def apply_for_child(client, **changes):
    """Hoàng Thị Dân applies for her son, a 5.1 child born 2015-06-01 (aged 9)."""
    data = {
        "submission_token": "form-1", "full_name": "Hoàng Văn Bé", "date_of_birth": "2015-06-01",
        "sex": "M", "national_id": "001215000123", "commune_code": "00070", "address": "Tổ 3",
        "on_behalf": "y", "declarant_name": "Hoàng Thị Dân",
        "declarant_national_id": "001190000777", "declarant_relationship": "mẹ",
        "category": "CHILD_NO_SUPPORT", "parents_situation": "Bố mất năm 2020",
        "action": "submit", "attachments": [(io.BytesIO(PNG), "giay-to.png")],
    }  # fmt: skip
    data.update(changes)
    client.post("/me/apply/1.001776", data=data, content_type="multipart/form-data")
    return db.session.scalar(select(Case).where(Case.subject_national_id == data["national_id"]))


@pytest.fixture
def dossier(clock, client, citizen, officer):
    case = apply_for_child(client)
    officer.post(f"/officer/cases/{case.code}/check")
    db.session.refresh(case)
    assert case.status == "checking"
    return case


APPROVE_AT_POST = {"outcome": "approve", "category": "CHILD_NO_SUPPORT",
                   "payment_method": "POST", "payment_point": "100000"}  # fmt: skip


def reread(case):
    db.session.expire_all()
    return db.session.get(Case, case.id)


def test_a_proposal_to_approve_is_posted_then_signed_and_paid(
    app, clock, client, dossier, officer, chairman
):
    response = officer.post(f"/officer/cases/{dossier.code}/propose", data=APPROVE_AT_POST,
                            follow_redirects=True)  # fmt: skip
    case = reread(dossier)
    assert case.status == "posting"
    assert (case.posted_on, case.posting_ends_on) == (date(2025, 3, 3), date(2025, 3, 5))
    assert "từ 03/03/2025 đến 05/03/2025" in page_of(response).get_text(" ")

    # Not before the posting's 2 working days are over.
    response = officer.post(f"/officer/cases/{case.code}/send-to-chairman",
                            follow_redirects=True)  # fmt: skip
    assert "Thời gian niêm yết đến 05/03/2025" in " ".join(flashes(response))
    assert reread(case).status == "posting"

    clock.move_to(THURSDAY)
    log_in(officer, "officer@xa.gov.vn")  # two days without a request end a session
    log_in(chairman, "chairman@xa.gov.vn")
    officer.post(f"/officer/cases/{case.code}/send-to-chairman")
    assert reread(case).status == "proposed"
    # The chairman is told (by email through the notify queue).
    told = db.session.scalars(select(Notification.user_id).where(
        Notification.kind == "awaiting_decision")).all()  # fmt: skip
    assert told == [chairman_id()]

    response = chairman.post(f"/officer/cases/{case.code}/decide", data={"outcome": "approve"},
                             follow_redirects=True)  # fmt: skip
    case = reread(case)
    assert case.status == "approved" and case.decided_on == date(2025, 3, 6)
    assert case.decision.number == "1/QĐ-UBND" and case.decision.kind == "grant"
    assert "Quyết định 1/QĐ-UBND đã được ký." in " ".join(flashes(response))

    # ND20 Art 8.1: the allowance is due from the month the chairman signs.
    person = db.session.scalar(select(Person).where(Person.national_id == "001215000123"))
    assert (person.full_name, person.date_of_birth, person.sex) == (
        "Hoàng Văn Bé", date(2015, 6, 1), "M")  # fmt: skip
    beneficiary = db.session.scalar(select(Beneficiary).where(Beneficiary.person_id == person.id))
    assert (beneficiary.status, beneficiary.effective_month, beneficiary.payment_point) == (
        "active", Month(2025, 3), "100000")  # fmt: skip
    [granted] = db.session.scalars(
        select(BeneficiaryCategory).where(BeneficiaryCategory.beneficiary_id == beneficiary.id)
    )
    assert (granted.category_code, granted.decision_id) == ("CHILD_NO_SUPPORT", case.decision_id)
    # The next batch pays March (1.5 × 500,000) as arrears with April.
    batch = generate_batch(Month(2025, 4), "commune", "00070", Actor.system("test"))
    [line] = db.session.scalars(select(PaymentLine).where(PaymentLine.batch_id == batch.id))
    assert (line.monthly_amount, line.arrears_amount, line.arrears_months) == (
        750_000, 750_000, "2025-03")  # fmt: skip

    # The applicant reads the decision and downloads it.
    log_in(client, "001190000777")
    text = page_of(client.get(f"/me/dossiers/{case.code}")).get_text(" ")
    assert "Đã phê duyệt theo quyết định 1/QĐ-UBND ngày 06/03/2025." in text
    pdf = client.get(f"/me/dossiers/{case.code}/decision.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    letter = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "1/QĐ-UBND" in letter and "Hoàng Văn Bé" in letter
    assert "750.000 đồng" in letter and "từ tháng 03/2025" in letter
    assert "001215000123" not in letter and "*********123" in letter
    kinds = set(db.session.scalars(select(Notification.kind).where(
        Notification.case_id == case.id)))  # fmt: skip
    assert {"posting", "proposed", "approved"} <= kinds
    actions = set(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_id == case.code)))  # fmt: skip
    assert {"case.proposal", "case.posting", "case.proposed", "case.decision",
            "case.approved"} <= actions  # fmt: skip


def test_a_province_that_does_not_post_the_procedure_sends_it_to_the_chairman(dossier, officer):
    db.session.add(PostingSetting(procedure_code="1.001776", province_code="01",
                                  public_posting=False))  # fmt: skip
    db.session.commit()
    officer.post(f"/officer/cases/{dossier.code}/propose", data=APPROVE_AT_POST)
    case = reread(dossier)
    assert case.status == "proposed" and case.posted_on is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"category": "ELDERLY_POOR_ALONE"}, "category", "không phù hợp với độ tuổi"),
        ({"payment_point": ""}, "payment_point", "Nhập bưu điện chi trả cho người này."),
        (
            {"payment_method": "BANK", "payment_point": ""},
            "bank_account",
            "Nhập ngân hàng và số tài khoản.",
        ),
        ({"outcome": "refuse", "category": ""}, "reasons", "Nêu lý do từ chối."),
        ({"category": ""}, "category", "Chọn diện đối tượng được hưởng."),
    ],
)
def test_a_proposal_that_does_not_hold_is_refused_next_to_its_field(
    dossier, officer, changes, field, message
):
    audits = count(AuditEntry)
    response = officer.post(f"/officer/cases/{dossier.code}/propose",
                            data={**APPROVE_AT_POST, **changes})  # fmt: skip
    assert response.status_code == 200
    assert message in errors_of(response)[field]
    case = reread(dossier)
    assert (case.status, case.proposed_outcome, case.posted_on) == ("checking", None, None)
    assert count(AuditEntry) == audits


def test_an_unanswered_complaint_holds_the_dossier_at_the_posting(app, clock, dossier, officer):
    officer.post(f"/officer/cases/{dossier.code}/propose", data=APPROVE_AT_POST)
    response = officer.post(f"/officer/cases/{dossier.code}/complaints",
                            data={"complainant": "Trần Văn Hàng", "text": ""})  # fmt: skip
    assert "Ghi nội dung khiếu nại." in errors_of(response)["text"]
    officer.post(f"/officer/cases/{dossier.code}/complaints", data={
        "complainant": "Trần Văn Hàng", "text": "Cháu vẫn ở với bố."})  # fmt: skip
    [complaint] = db.session.scalars(select(CaseComplaint))
    # Examined within 10 working days (domain.md section 2 step 3).
    assert complaint.examine_by == date(2025, 3, 17)
    clock.move_to(THURSDAY)
    log_in(officer, "officer@xa.gov.vn")
    response = officer.post(f"/officer/cases/{dossier.code}/send-to-chairman",
                            follow_redirects=True)  # fmt: skip
    assert "Có khiếu nại về việc niêm yết chưa được trả lời." in " ".join(flashes(response))
    assert reread(dossier).status == "posting"
    officer.post(f"/officer/cases/{dossier.code}/complaints/{complaint.id}/answer",
                 data={"answer": "Đã xác minh: bố cháu mất năm 2020."})  # fmt: skip
    officer.post(f"/officer/cases/{dossier.code}/send-to-chairman")
    assert reread(dossier).status == "proposed"


def test_a_complaint_past_its_10_working_days_is_flagged_in_the_queue(app, clock, dossier, officer):
    officer.post(f"/officer/cases/{dossier.code}/propose", data=APPROVE_AT_POST)
    officer.post(f"/officer/cases/{dossier.code}/complaints", data={
        "complainant": "Trần Văn Hàng", "text": "Cháu vẫn ở với bố."})  # fmt: skip
    [complaint] = db.session.scalars(select(CaseComplaint))
    late = "Khiếu nại chưa được trả lời đúng hạn"

    def row_of_dossier():
        rows = page_of(officer.get("/officer/")).select("tbody tr")
        return next(r.get_text(" ", strip=True) for r in rows if dossier.code in r.get_text())

    # On its last day (the 17th, domain.md section 2 step 3) it is not late yet.
    clock.move_to(datetime(2025, 3, 17, 2, 0, tzinfo=UTC))
    log_in(officer, "officer@xa.gov.vn")
    assert late not in row_of_dossier()
    clock.move_to(datetime(2025, 3, 18, 2, 0, tzinfo=UTC))
    log_in(officer, "officer@xa.gov.vn")
    assert late in row_of_dossier()
    officer.post(f"/officer/cases/{dossier.code}/complaints/{complaint.id}/answer",
                 data={"answer": "Đã xác minh: bố cháu mất năm 2020."})  # fmt: skip
    assert late not in row_of_dossier()


def test_the_chairman_refuses_in_writing_with_reasons(clock, client, dossier, officer, chairman):
    officer.post(f"/officer/cases/{dossier.code}/propose", data={
        "outcome": "refuse", "reasons": "Cháu đang được ông bà nuôi dưỡng."})  # fmt: skip
    assert reread(dossier).status == "proposed"  # a refusal is not posted
    response = chairman.post(f"/officer/cases/{dossier.code}/decide", data={"outcome": "refuse"})
    assert "Nêu lý do từ chối." in errors_of(response)["reasons"]
    assert reread(dossier).status == "proposed" and count(Decision) == 0
    # The chairman cannot approve what the officer proposed to refuse.
    response = chairman.post(f"/officer/cases/{dossier.code}/decide", data={"outcome": "approve"})
    assert "đề xuất từ chối" in errors_of(response)["outcome"]
    chairman.post(f"/officer/cases/{dossier.code}/decide", data={
        "outcome": "refuse", "reasons": "Cháu có ông bà nuôi dưỡng (Điều 5.1)."})  # fmt: skip
    case = reread(dossier)
    assert case.status == "refused" and case.decision.kind == "refuse"
    assert count(Beneficiary) == 0
    log_in(client, "001190000777")
    text = page_of(client.get(f"/me/dossiers/{case.code}")).get_text(" ")
    assert "Cháu có ông bà nuôi dưỡng (Điều 5.1)." in text
    letter = client.get(f"/me/dossiers/{case.code}/decision.pdf").data
    words = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(letter)).pages)
    assert "Cháu có ông bà nuôi dưỡng" in words and "Điều 1." not in words
    # A refusal is a notice, numbered in the commune's series of notices (issue 30 item 6).
    assert case.decision.number == "1/TB-UBND" and "Số: 1/TB-UBND" in words
    assert "QĐ-UBND" not in words


def test_a_decision_is_signed_once(dossier, officer, chairman):
    db.session.add(PostingSetting(procedure_code="1.001776", province_code="01",
                                  public_posting=False))  # fmt: skip
    db.session.commit()
    officer.post(f"/officer/cases/{dossier.code}/propose", data=APPROVE_AT_POST)
    chairman.post(f"/officer/cases/{dossier.code}/decide", data={"outcome": "approve"})
    response = chairman.post(f"/officer/cases/{dossier.code}/decide", data={"outcome": "approve"},
                             follow_redirects=True)  # fmt: skip
    assert "Hồ sơ đã có quyết định: không có gì thay đổi." in " ".join(flashes(response))
    assert count(Decision) == 1 and count(BeneficiaryCategory) == 1


def test_each_steps_belongs_to_its_role_and_commune(app, dossier, officer, chairman):
    other = staff_client(app, "officer", "officer@vungtau.gov.vn", commune="26506")
    assert other.get(f"/officer/cases/{dossier.code}").status_code == 404
    assert other.post(f"/officer/cases/{dossier.code}/propose",
                      data=APPROVE_AT_POST).status_code == 404  # fmt: skip
    # The chairman does not propose; the officer does not decide.
    assert chairman.post(f"/officer/cases/{dossier.code}/propose",
                         data=APPROVE_AT_POST).status_code == 404  # fmt: skip
    assert reread(dossier).status == "checking"
    db.session.add(PostingSetting(procedure_code="1.001776", province_code="01",
                                  public_posting=False))  # fmt: skip
    db.session.commit()
    officer.post(f"/officer/cases/{dossier.code}/propose", data=APPROVE_AT_POST)
    assert officer.post(f"/officer/cases/{dossier.code}/decide",
                        data={"outcome": "approve"}).status_code == 404  # fmt: skip
    assert reread(dossier).status == "proposed"


def test_the_population_register_must_agree_with_the_dossier(dossier, officer, chairman):
    db.session.add(Person(national_id="001215000123", full_name="Hoàng Văn Lớn", sex="M",
                          date_of_birth=date(2015, 6, 1), commune_code="00070"))  # fmt: skip
    db.session.add(PostingSetting(procedure_code="1.001776", province_code="01",
                                  public_posting=False))  # fmt: skip
    db.session.commit()
    officer.post(f"/officer/cases/{dossier.code}/propose", data=APPROVE_AT_POST)
    response = chairman.post(f"/officer/cases/{dossier.code}/decide", data={"outcome": "approve"})
    assert "Cơ sở dữ liệu quốc gia về dân cư" in errors_of(response)["outcome"]
    assert reread(dossier).status == "proposed" and count(Beneficiary) == 0
    chairman.post(f"/officer/cases/{dossier.code}/back-to-checking",
                  data={"note": "Kiểm tra lại họ tên."})  # fmt: skip
    case = reread(dossier)
    assert (case.status, case.proposed_outcome) == ("checking", None)
    assert case.events[-1].note == "Kiểm tra lại họ tên."


def propose_funeral_after_death(deceased, registration_number, officer):
    """The civil registry reports the death (20 February 2025); the funeral dossier it
    opens is checked and proposed for approval (no posting) by the officer."""
    report = DeathReport(
        registration_number=registration_number, national_id=deceased.person.national_id,
        full_name=deceased.person.full_name, date_of_death=date(2025, 2, 20),
        registered_on=date(2025, 3, 3), commune_code="00070",
        declarant={"full_name": "Đỗ Thị Hoa", "national_id": "001190054321",
                   "relationship": "con"},
    )  # fmt: skip
    record_death(report, Actor.system("test"), "test", date(2025, 3, 3))
    db.session.commit()
    case = db.session.scalar(select(Case).where(Case.procedure_code == "1.001731"))
    officer.post(f"/officer/cases/{case.code}/check")
    officer.post(f"/officer/cases/{case.code}/propose", data={"outcome": "approve"})
    assert reread(case).status == "proposed"
    return case


def test_a_funeral_opened_by_a_death_is_approved_and_paid_in_the_next_batch(
    clock, officer, chairman
):
    """Decree 63/2024 and ND20 Art 11: the funeral dossier the death opened is checked,
    proposed (no posting) and signed; the next batch pays the organiser 20 × standard."""
    deceased = create_beneficiary(categories=("ELDERLY_80_NO_PENSION",),
                                  date_of_birth=date(1940, 1, 5), full_name="Vũ Văn Bảy",
                                  effective_month="2024-01")  # fmt: skip
    case = propose_funeral_after_death(deceased, "KT-2025-1", officer)
    chairman.post(f"/officer/cases/{case.code}/decide", data={"outcome": "approve"})
    case = reread(case)
    assert case.status == "approved" and case.amount == 10_000_000
    batch = generate_batch(Month(2025, 4), "commune", "00070", Actor.system("test"))
    [funeral] = db.session.scalars(select(PaymentLine).where(
        PaymentLine.batch_id == batch.id, PaymentLine.kind == "FUNERAL"))  # fmt: skip
    assert funeral.one_off_amount == 10_000_000 and funeral.payee_name == "Đỗ Thị Hoa"
    # The decision names whom it pays, the organiser, and the deceased below them.
    pdf = officer.get(f"/officer/cases/{case.code}/decision.pdf").data
    letter = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert letter.index("người tổ chức mai táng: Họ và tên: Đỗ Thị Hoa") < letter.index(
        "Người đã mất: Họ và tên: Vũ Văn Bảy"
    )


def test_the_chairman_s_queue_lists_what_waits_for_a_decision(client, dossier, officer, chairman):
    waiting = apply_for_child(client, submission_token="form-2", full_name="Hoàng Thị Em",
                              national_id="001315000456", sex="F")  # fmt: skip
    officer.post(f"/officer/cases/{waiting.code}/check")
    officer.post(f"/officer/cases/{waiting.code}/propose",
                 data={"outcome": "refuse", "reasons": "Không thuộc diện."})  # fmt: skip
    listed = page_of(chairman.get("/officer/?step=proposed")).select("tbody tr")
    assert [r.select_one("td").get_text(strip=True) for r in listed] == [waiting.code]
    everything = page_of(chairman.get("/officer/")).select("tbody tr")
    assert {r.select_one("td").get_text(strip=True) for r in everything} == {
        dossier.code, waiting.code}  # fmt: skip


def test_the_posting_notice_lists_the_posted_proposals_and_never_an_hiv_category(
    client, dossier, officer
):
    """domain.md section 2 step 3: posted at the commune office, HIV status never shown."""
    officer.post(f"/officer/cases/{dossier.code}/propose", data=APPROVE_AT_POST)
    with_hiv = apply_for_child(client, submission_token="form-3", full_name="Lê Văn Khang",
                               national_id="001215000999", category="CHILD_HIV_POOR")  # fmt: skip
    officer.post(f"/officer/cases/{with_hiv.code}/check")
    officer.post(f"/officer/cases/{with_hiv.code}/propose",
                 data={**APPROVE_AT_POST, "category": "CHILD_HIV_POOR"})  # fmt: skip
    assert reread(with_hiv).status == "posting"
    notice = page_of(officer.get("/officer/posting"))
    rows = [r.get_text(" ", strip=True) for r in notice.select("#posted tbody tr")]
    assert len(rows) == 2
    assert "Hoàng Văn Bé" in rows[0] and "2015" in rows[0] and "Tổ 3" in rows[0]
    assert "không có nguồn nuôi dưỡng" in rows[0]
    assert "Lê Văn Khang" in rows[1] and "HIV" not in notice.get_text()
    assert "từ 03/03/2025 đến 05/03/2025" in rows[1]
    # Printed as the commune's document: its header, the day, and the chairman's signature.
    header = notice.select_one("#notice-header").get_text(" ", strip=True)
    assert "ỦY BAN NHÂN DÂN PHƯỜNG HOÀN KIẾM" in header
    assert (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header and "Độc lập - Tự do - Hạnh phúc" in header
    )
    assert "Phường Hoàn Kiếm, ngày 03/03/2025" in header
    signature = notice.select_one("#notice-signature").get_text(" ", strip=True)
    assert "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH" in signature


def test_a_category_the_person_no_longer_fits_when_signed_is_refused(
    app, clock, client, citizen, officer, chairman
):
    """The wait for the chairman crossed a month end: a 5.1 child who turned 16 in March
    fits in March (ND20 Art 8.2) but not from April, the month the chairman signs."""
    clock.move_to(datetime(2025, 3, 31, 2, 0, tzinfo=UTC))
    for c, email in ((client, "001190000777"), (officer, "officer@xa.gov.vn"),
                     (chairman, "chairman@xa.gov.vn")):  # fmt: skip
        log_in(c, email)
    db.session.add(PostingSetting(procedure_code="1.001776", province_code="01",
                                  public_posting=False))  # fmt: skip
    db.session.commit()
    case = apply_for_child(client, date_of_birth="2009-03-15", national_id="001209000123")
    officer.post(f"/officer/cases/{case.code}/check")
    officer.post(f"/officer/cases/{case.code}/propose", data=APPROVE_AT_POST)
    assert reread(case).status == "proposed"
    clock.move_to(datetime(2025, 4, 1, 2, 0, tzinfo=UTC))
    log_in(chairman, "chairman@xa.gov.vn")
    response = chairman.post(f"/officer/cases/{case.code}/decide", data={"outcome": "approve"})
    assert "Không thể xét hưởng diện đối tượng này" in errors_of(response)["outcome"]
    assert reread(case).status == "proposed"
    assert count(Beneficiary) == 0 and count(Decision) == 0


def test_a_cancelled_death_withdraws_its_funeral_dossier_even_with_the_chairman(clock, officer):
    from benefits.deaths.service import cancel_death

    deceased = create_beneficiary(categories=("ELDERLY_80_NO_PENSION",),
                                  date_of_birth=date(1940, 1, 5))  # fmt: skip
    case = propose_funeral_after_death(deceased, "KT-2025-9", officer)
    cancel_death("KT-2025-9", "Đăng ký nhầm người", Actor.system("test"))
    db.session.commit()
    assert reread(case).status == "withdrawn"
    assert db.session.get(Beneficiary, deceased.id).status == "active"
