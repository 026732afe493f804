"""What each decision changes (domain.md section 2, "What each decision changes"; issue 25):
one effects mechanism keyed by procedure and kind of decision, applied in the chairman's
signature, audited, and seen by the next payment batch."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from benefits.accounts.audit import Actor
from benefits.accounts.models import AuditEntry
from benefits.cases.workflow import Proposal, decide, open_change_dossier, propose
from benefits.errors import DomainError
from benefits.extensions import db
from benefits.month import Month
from benefits.payments.generation import generate_batch
from benefits.payments.models import PaymentLine
from benefits.procedures.models import PostingSetting
from benefits.registry.models import Beneficiary, BeneficiaryCategory, Decision
from tests.builders import create_beneficiary

SYSTEM = Actor.system("test")
# Thursday 6 March 2025 in Hà Nội.
SIGNED = date(2025, 3, 6)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime(2025, 3, 6, 2, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def unposted():
    """Hà Nội does not post 1.001776 publicly: a proposal goes to the chairman at once."""
    db.session.add(PostingSetting(procedure_code="1.001776", province_code="01",
                                  public_posting=False))  # fmt: skip
    db.session.flush()


@pytest.fixture
def elder(unposted):
    """Born 1950-05-17, 5.5.a from January 2025: 1.5 × 500,000 = 750,000 a month."""
    return create_beneficiary(categories=("ELDERLY_POOR_ALONE",), effective_month="2025-01",
                              full_name="Trần Văn Lão")  # fmt: skip


def signed(beneficiary, request, on=SIGNED, **terms):
    case = open_change_dossier(beneficiary, request, SYSTEM, on)
    propose(case, Proposal(outcome="approve", **terms), SYSTEM, on)
    assert case.status == "proposed"
    decide(case, True, None, SYSTEM, on)
    db.session.expire_all()
    return case


def allowance_lines(month: Month) -> dict[str, PaymentLine]:
    batch = generate_batch(month, "commune", "00070", SYSTEM)
    lines = db.session.scalars(
        select(PaymentLine).where(PaymentLine.batch_id == batch.id, PaymentLine.kind == "ALLOWANCE")
    )
    return {line.beneficiary_code: line for line in lines}


def actions_on(beneficiary) -> set[str]:
    return set(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_id == beneficiary.code)))  # fmt: skip


def test_a_stop_decision_leaves_the_person_out_of_the_batches_after_the_month_of_the_event(elder):
    """TT02 Art 2.1, ND20 Art 8.2: sentenced in March, paid for March, nothing after."""
    assert allowance_lines(Month(2025, 3))[elder.code].total_amount == 3 * 750_000
    case = signed(elder, "stop", from_month="2025-03", stop_reason="prison")
    record = db.session.get(Beneficiary, elder.id)
    assert (record.status, record.last_entitled_month) == ("stopped", Month(2025, 3))
    decision = case.decision
    assert (decision.kind, decision.beneficiary_id, decision.case_id) == ("stop", elder.id, case.id)
    assert "registry.stopped" in actions_on(elder)
    assert elder.code not in allowance_lines(Month(2025, 4))
    # The record keeps its history: its category ends with March, nothing is deleted.
    [held] = db.session.scalars(select(BeneficiaryCategory).where(
        BeneficiaryCategory.beneficiary_id == elder.id))  # fmt: skip
    assert held.to_month == Month(2025, 3)


def test_a_stop_before_the_last_month_paid_is_refused_and_changes_nothing(elder):
    allowance_lines(Month(2025, 3))
    case = open_change_dossier(elder, "stop", SYSTEM, SIGNED)
    with pytest.raises(DomainError, match="2025-03"):
        propose(case, Proposal(outcome="approve", from_month="2025-02", stop_reason="refused"),
                SYSTEM, SIGNED)  # fmt: skip
    assert case.status == "checking"
    assert db.session.get(Beneficiary, elder.id).status == "active"


def test_a_stop_needs_one_of_the_reasons_of_tt02_art_2_1(elder):
    case = open_change_dossier(elder, "stop", SYSTEM, SIGNED)
    with pytest.raises(DomainError) as refused:
        propose(case, Proposal(outcome="approve", from_month="2025-03", stop_reason="bored"),
                SYSTEM, SIGNED)  # fmt: skip
    assert refused.value.field == "stop_reason"


def test_an_added_category_raises_the_allowance_from_the_month_the_person_qualifies(elder):
    """ND20 Art 8.1 and 6.2: a severe disability certified in February gives an elderly
    person 2.0 (the highest) from February."""
    signed(elder, "adjust", from_month="2025-02", add_category="DISABLED_SEVERE")
    held = db.session.scalars(select(BeneficiaryCategory.category_code).where(
        BeneficiaryCategory.beneficiary_id == elder.id)).all()  # fmt: skip
    assert sorted(held) == ["DISABLED_SEVERE", "ELDERLY_POOR_ALONE"]
    line = allowance_lines(Month(2025, 3))[elder.code]
    # January at 1.5; February and March at 2.0.
    assert (line.monthly_amount, line.arrears_amount) == (1_000_000, 750_000 + 1_000_000)
    assert "registry.adjusted" in actions_on(elder)


def test_a_back_dated_increase_pays_the_months_already_issued_as_arrears(elder):
    """domain.md section 2: months already issued at the lower amount are made up as
    arrears in the next batch; the batch after it pays nothing more for them."""
    march = allowance_lines(Month(2025, 3))[elder.code]
    assert march.total_amount == 3 * 750_000
    signed(elder, "adjust", from_month="2025-02", add_category="DISABLED_SEVERE")
    assert db.session.get(Beneficiary, elder.id).top_up_from == Month(2025, 2)
    april = allowance_lines(Month(2025, 4))[elder.code]
    # April at 2.0; February and March made up by 250,000 each (2.0 - 1.5 of 500,000).
    assert (april.monthly_amount, april.arrears_amount) == (1_000_000, 2 * 250_000)
    assert april.arrears_months == "2025-02;2025-03"
    # Generated again, the open April batch pays the same, never twice.
    assert allowance_lines(Month(2025, 4))[elder.code].total_amount == 1_500_000


def test_a_second_increase_adds_only_its_own_difference(unposted, clock):
    person = create_beneficiary(categories=("ELDERLY_POOR_ALONE",), effective_month="2025-01")
    allowance_lines(Month(2025, 3))
    signed(person, "adjust", from_month="2025-03", add_category="DISABLED_SEVERE")
    from benefits.payments.service import lock_batch

    april_batch = generate_batch(Month(2025, 4), "commune", "00070", SYSTEM)
    lock_batch(april_batch.id, SYSTEM)
    clock.move_to(datetime(2025, 4, 7, 2, 0, tzinfo=UTC))
    signed(person, "adjust", from_month="2025-03", add_category="DISABLED_EXTREMELY_SEVERE",
           on=date(2025, 4, 7))  # fmt: skip
    may = allowance_lines(Month(2025, 5))[person.code]
    # 2.5 for the elderly with an extremely severe disability: March and April, already
    # paid at 2.0 (March topped up from 1.5), get 250,000 each.
    assert (may.monthly_amount, may.arrears_amount) == (1_250_000, 2 * 250_000)


def test_a_lower_amount_applies_only_from_the_month_after_the_decision(unposted):
    """domain.md section 2: nothing clawed back; the lower amount from the month after."""
    person = create_beneficiary(categories=("ELDERLY_POOR_ALONE", "DISABLED_SEVERE"),
                                effective_month="2025-01")  # fmt: skip
    signed(person, "adjust", from_month="2025-02", end_category="DISABLED_SEVERE")
    ended = db.session.scalar(select(BeneficiaryCategory).where(
        BeneficiaryCategory.beneficiary_id == person.id,
        BeneficiaryCategory.category_code == "DISABLED_SEVERE"))  # fmt: skip
    assert ended.to_month == Month(2025, 3)
    line = allowance_lines(Month(2025, 4))[person.code]
    assert (line.monthly_amount, line.arrears_amount) == (750_000, 3 * 1_000_000)


def test_a_new_payment_point_and_guardian_are_used_by_the_next_batch(elder):
    signed(elder, "adjust", from_month="2025-03", payment_point="PO-77",
           payee_name="Trần Thị Giám Hộ", payee_national_id="001180000777")  # fmt: skip
    line = allowance_lines(Month(2025, 3))[elder.code]
    assert (line.payment_point, line.payee_name) == ("PO-77", "Trần Thị Giám Hộ")


def test_an_adjustment_that_changes_nothing_is_refused(elder):
    case = open_change_dossier(elder, "adjust", SYSTEM, SIGNED)
    with pytest.raises(DomainError, match="Nêu nội dung điều chỉnh"):
        propose(case, Proposal(outcome="approve", from_month="2025-03"), SYSTEM, SIGNED)


def test_a_suspension_by_decision_holds_the_months_and_a_resumption_pays_them(elder, clock):
    """TT02 Art 2.3 (detention of a month or more) and Art 6.1.b: the months held are paid
    as arrears by the first batch after the resumption."""
    allowance_lines(Month(2025, 3))
    signed(elder, "suspend", suspend_reason="detention")
    assert db.session.get(Beneficiary, elder.id).status == "suspended"
    assert elder.code not in allowance_lines(Month(2025, 4))
    clock.move_to(datetime(2025, 5, 6, 2, 0, tzinfo=UTC))
    signed(elder, "resume", on=date(2025, 5, 6))
    line = allowance_lines(Month(2025, 5))[elder.code]
    assert (line.monthly_amount, line.arrears_amount, line.arrears_months) == (
        750_000, 750_000, "2025-04")  # fmt: skip


def test_a_dossier_is_decided_once_by_the_database(elder):
    """Two chairmen signing at once: the second decision for the dossier is refused by a
    unique index, whatever the code above it did (issue 25)."""
    case = signed(elder, "stop", from_month="2025-03", stop_reason="refused")
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(Decision(number="99/QĐ-UBND", signed_on=SIGNED, commune_code="00070",
                                kind="stop", case_id=case.id))  # fmt: skip
        db.session.flush()
    assert db.session.scalar(select(func.count()).select_from(Decision)) == 1


def test_a_refusal_changes_nothing_in_the_registry(elder):
    case = open_change_dossier(elder, "stop", SYSTEM, SIGNED)
    propose(case, Proposal(outcome="refuse", reasons="Vẫn đủ điều kiện."), SYSTEM, SIGNED)
    decide(case, False, "Vẫn đủ điều kiện hưởng.", SYSTEM, SIGNED)
    assert case.decision.kind == "refuse"
    assert db.session.get(Beneficiary, elder.id).status == "active"


def test_a_second_open_dossier_about_the_same_record_is_refused(elder):
    first = open_change_dossier(elder, "adjust", SYSTEM, SIGNED)
    with pytest.raises(DomainError, match=first.code):
        open_change_dossier(elder, "stop", SYSTEM, SIGNED)
    # Once the first is decided, another may be opened.
    propose(first, Proposal(outcome="refuse", reasons="Không thay đổi."), SYSTEM, SIGNED)
    decide(first, False, "Không có gì thay đổi.", SYSTEM, SIGNED)
    assert open_change_dossier(elder, "stop", SYSTEM, SIGNED).status == "checking"


def test_a_stopped_record_is_granted_again_from_its_new_decision_with_no_month_between(
    elder, clock
):
    """domain.md section 2: a stopped record keeps its history and can be granted again;
    the months between the stop and the new start are not due."""
    from benefits.cases.service import open_case, start_checking

    allowance_lines(Month(2025, 3))
    signed(elder, "stop", from_month="2025-03", stop_reason="refused")
    clock.move_to(datetime(2025, 5, 6, 2, 0, tzinfo=UTC))
    again = date(2025, 5, 6)
    person = elder.person
    case = open_case("1.001776", "00070", person.full_name, SYSTEM, again,
                     subject_national_id=person.national_id,
                     data={"category": "ELDERLY_POOR_ALONE", "sex": person.sex,
                           "date_of_birth": person.date_of_birth.isoformat()})  # fmt: skip
    start_checking(case, SYSTEM)
    propose(case, Proposal(outcome="approve", category="ELDERLY_POOR_ALONE",
                           payment_method="COMMUNE"), SYSTEM, again)  # fmt: skip
    decide(case, True, None, SYSTEM, again)
    db.session.expire_all()
    record = db.session.get(Beneficiary, elder.id)
    assert (record.status, record.last_entitled_month, record.payment_method) == (
        "active", None, "COMMUNE")  # fmt: skip
    line = allowance_lines(Month(2025, 5))[elder.code]
    assert (line.monthly_amount, line.arrears_months) == (750_000, "")


def test_an_admission_to_a_facility_stops_the_community_allowance_from_the_month_after(elder):
    """domain.md section 2, 2.000286 (ND20 Art 27): a resident receives the facility's
    nurture allowance, not the Art 6 monthly allowance."""
    from benefits.cases.service import open_case, start_checking

    db.session.add(PostingSetting(procedure_code="2.000286", province_code="01",
                                  public_posting=False))  # fmt: skip
    person = elder.person
    case = open_case("2.000286", "00070", person.full_name, SYSTEM, SIGNED,
                     subject_national_id=person.national_id,
                     data={"details": "Không còn người chăm sóc"})  # fmt: skip
    start_checking(case, SYSTEM)
    propose(case, Proposal(outcome="approve"), SYSTEM, SIGNED)
    decide(case, True, None, SYSTEM, SIGNED)
    db.session.expire_all()
    record = db.session.get(Beneficiary, elder.id)
    assert (record.status, record.last_entitled_month) == ("stopped", Month(2025, 3))
    assert case.decision.beneficiary_id == elder.id
    assert allowance_lines(Month(2025, 3))[elder.code].monthly_amount == 750_000
    assert elder.code not in allowance_lines(Month(2025, 4))
