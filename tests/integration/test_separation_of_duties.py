"""Separation of duties (issue 29.6, decisions 180 and 181): whoever handles a dossier or
a record is not paid by it, and the chairman who signs never proposed. Each refusal says
why, and changes nothing."""

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from benefits.accounts.audit import Actor
from benefits.accounts.models import AuditEntry, User
from benefits.accounts.service import create_staff_user
from benefits.cases.models import Case
from benefits.extensions import db
from benefits.registry.models import CareSupport, Decision
from tests.builders import PASSWORD, create_beneficiary
from tests.integration.test_case_decisions import (
    APPROVE_AT_POST,
    apply_for_child,
    errors_of,
    log_in,
    page_of,
    reread,
)

OFFICERS_ID = "001185001234"


def staff(app, role, email, national_id=None):
    user = create_staff_user(role, email, f"Nguyễn Văn {role.title()}", PASSWORD,
                             Actor.system("test"), commune_code="00070")  # fmt: skip
    user.national_id = national_id
    db.session.commit()
    return log_in(app.test_client(), email), user.id


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def audits(action):
    return count(AuditEntry, AuditEntry.action == action)


@pytest.fixture
def checked(client, citizen, app):
    """Hoàng Thị Dân's application for her son, being checked."""
    officer, _ = staff(app, "officer", "officer@xa.gov.vn")
    case = apply_for_child(client)
    officer.post(f"/officer/cases/{case.code}/check")
    assert reread(case).status == "checking"
    return case


def test_a_chairman_who_proposed_as_officer_does_not_sign(app, checked):
    # The officer proposes a refusal, then is made chairman of the commune (an admin's
    # change of role): what they proposed is signed by someone else.
    officer, officer_id = staff(app, "officer", "lan@xa.gov.vn")
    officer.post(f"/officer/cases/{checked.code}/propose",
                 data={"outcome": "refuse", "reasons": "Cháu có ông bà nuôi dưỡng."})  # fmt: skip
    case = reread(checked)
    assert case.status == "proposed" and case.proposed_by_user_id == officer_id
    db.session.get(User, officer_id).role = "chairman"
    db.session.commit()
    now_chairman = log_in(app.test_client(), "lan@xa.gov.vn")
    response = now_chairman.post(f"/officer/cases/{case.code}/decide", data={
        "outcome": "refuse", "reasons": "Cháu có ông bà nuôi dưỡng (Điều 5.1)."})  # fmt: skip
    assert "Bạn đã tự đề xuất kết quả này" in " ".join(errors_of(response).values())
    case = reread(case)
    assert case.status == "proposed" and case.decided_by_user_id is None
    assert count(Decision) == 0 and audits("case.decision") == 0

    chairman, chairman_id = staff(app, "chairman", "chutich@xa.gov.vn")
    chairman.post(f"/officer/cases/{case.code}/decide", data={
        "outcome": "refuse", "reasons": "Cháu có ông bà nuôi dưỡng (Điều 5.1)."})  # fmt: skip
    case = reread(case)
    assert case.status == "refused"
    assert (case.proposed_by_user_id, case.decided_by_user_id) == (officer_id, chairman_id)


def test_the_database_refuses_one_person_as_proposer_and_signer(app, checked):
    officer, officer_id = staff(app, "officer", "lan@xa.gov.vn")
    officer.post(f"/officer/cases/{checked.code}/propose",
                 data={"outcome": "refuse", "reasons": "Cháu có ông bà nuôi dưỡng."})  # fmt: skip
    with pytest.raises(IntegrityError):
        db.session.execute(update(Case).where(Case.id == checked.id)
                           .values(decided_by_user_id=officer_id))  # fmt: skip
        db.session.flush()
    db.session.rollback()


def test_an_officer_does_not_propose_a_dossier_that_pays_them(app, checked):
    # The dossier names the officer's own ID number as its declarant (who collects).
    db.session.execute(update(Case).where(Case.id == checked.id)
                       .values(declarant_national_id=OFFICERS_ID))  # fmt: skip
    db.session.commit()
    officer, _ = staff(app, "officer", "lan@xa.gov.vn", national_id=OFFICERS_ID)
    response = officer.post(f"/officer/cases/{checked.code}/propose", data=APPROVE_AT_POST)
    text = page_of(response).get_text(" ")
    assert "Số định danh của chính bạn có trong hồ sơ này" in text
    case = reread(checked)
    assert case.status == "checking" and case.proposal is None
    assert case.proposed_by_user_id is None and audits("case.proposal") == 0


def test_an_officer_does_not_record_themselves_as_carer(app):
    from tests.integration.test_care_and_one_off_lines import care_form

    cared = create_beneficiary(categories=("DISABLED_EXTREMELY_SEVERE",), full_name="Lâm Văn Sơn")
    db.session.commit()
    officer, _ = staff(app, "officer", "lan@xa.gov.vn", national_id=OFFICERS_ID)
    before = count(AuditEntry)
    response = officer.post(f"/officer/registry/{cared.code}/care-support",
                            data=care_form(carer_national_id=OFFICERS_ID))  # fmt: skip
    assert response.status_code == 200
    assert errors_of(response)["carer_national_id"].startswith(
        "Bạn không thể ghi chính mình là người chăm sóc"
    )
    assert count(CareSupport) == 0 and count(AuditEntry) == before
    # Another carer is recorded as before.
    response = officer.post(f"/officer/registry/{cared.code}/care-support", data=care_form())
    assert response.status_code == 302 and count(CareSupport) == 1
