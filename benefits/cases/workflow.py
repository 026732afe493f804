"""The commune's steps after checking (ND20 Art 8.1 as applied since 1 July 2025, domain.md
section 2 steps 3 and 4): the officer's proposal, the public posting with its complaints,
and the chairman's decision, numbered, with what it grants (decision 78)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, text

from benefits.accounts.audit import Actor, record_audit
from benefits.accounts.duties import refuse_own_payee, refuse_signing_own_proposal
from benefits.cases.effects import (
    FUNERAL_PROCEDURE,
    MOVE_IN_PROVINCE,
    REQUESTS,
    apply_decision,
    beneficiary_of_case,
    check_funeral_eligible,
    check_move_out_terms,
    moving_beneficiary,
    request_of,
)
from benefits.cases.models import Case, CaseComplaint
from benefits.cases.service import _lock, move_case, open_case
from benefits.errors import AlreadyRecorded, DomainError, InvalidTransition
from benefits.extensions import db
from benefits.i18n import format_day
from benefits.month import Month
from benefits.notify.service import notify_commune_officers
from benefits.people.models import Person
from benefits.places.calendar import add_working_days
from benefits.places.models import province_of_commune
from benefits.procedures.catalogue import posting_required, procedure
from benefits.registry.grant import MONTHLY_ALLOWANCE_PROCEDURE, check_allowance_terms
from benefits.registry.lifecycle import (
    MOVE_OUT_PROCEDURE,
    RECEIVING,
    change_of,
    check_change_terms,
    check_move_terms,
)
from benefits.registry.models import Beneficiary, Decision
from benefits.rules.standard import NoRuleInForce, one_off_amount

# domain.md section 2 step 3: the proposed result stays posted for 2 working days; a
# complaint made meanwhile is examined within 10 working days.
POSTING_WORKING_DAYS = 2
COMPLAINT_WORKING_DAYS = 10
# ND20 Art 15: the three amounts of housing support, one-off rule codes (rule data).
HOUSING_KINDS = ("HOUSING_BUILD", "HOUSING_RELOCATE", "HOUSING_REPAIR")
# ND20 Art 11 and 14: the one-off rule paying each funeral procedure.
FUNERAL_RULES = {FUNERAL_PROCEDURE: "FUNERAL", "EMERGENCY-FUNERAL": "EMERGENCY_FUNERAL"}
HOUSING_PROCEDURE = "EMERGENCY-HOUSING"


@dataclass(frozen=True)
class Proposal:
    """What the commune officer proposes to the chairman. ``approve``: for the monthly
    allowance the category and how the person is paid; for housing support the kind of
    work. ``refuse``: the reasons, which the applicant reads."""

    outcome: str
    reasons: str | None = None
    category: str | None = None
    dependent_children: int | None = None
    payment_method: str | None = None
    payment_point: str | None = None
    bank_code: str | None = None
    bank_account: str | None = None
    housing: str | None = None
    # An adjust, stop or suspend dossier (1.001776, TT02 Art 2.1, 2.3): the month the new
    # terms or the event start (``YYYY-MM``), the reason, the change.
    from_month: str | None = None
    stop_reason: str | None = None
    suspend_reason: str | None = None
    add_category: str | None = None
    end_category: str | None = None
    payee_name: str | None = None
    payee_national_id: str | None = None


def open_change_dossier(
    beneficiary: Beneficiary, request: str, actor: Actor, today: date, *,
    applicant_user_id: int | None = None, declarant: dict | None = None,
    details: str | None = None,
) -> Case:  # fmt: skip
    """A 1.001776 dossier to adjust, stop, suspend or resume an allowance (domain.md
    section 2): filed by the citizen (then checked as any dossier) or opened by the
    officer from the beneficiary's page (then being checked at once). It goes through the
    same proposal, posting where the province posts, and the chairman's decision."""
    if request not in REQUESTS or request == "grant":
        raise DomainError(_l("Choose what the dossier asks for."), field="request")
    if beneficiary.status not in RECEIVING:
        raise DomainError(_l("The allowance is already stopped."), field="request")
    _refuse_overlap(beneficiary)
    person = beneficiary.person
    data = {"request": request, "beneficiary_code": beneficiary.code,
            "date_of_birth": person.date_of_birth.isoformat(), "sex": person.sex,
            "address": person.address}  # fmt: skip
    if details:
        data["details"] = details.strip()[:2000]
    if request == "stop" and beneficiary.status == "suspended":
        # TT02 Art 2.1: the stop proposed after a suspension without a response.
        data["stop_reason"] = "unheeded_suspension"
    case = open_case(
        MONTHLY_ALLOWANCE_PROCEDURE, beneficiary.commune_code, person.full_name, actor, today,
        subject_national_id=person.national_id, subject_person_id=person.id,
        applicant_user_id=applicant_user_id, declarant=declarant, data=data,
        origin="online" if applicant_user_id else "officer",
    )  # fmt: skip
    if applicant_user_id is None:
        move_case(case, "checking", actor)
    return case


OPEN_STATUSES = ("submitted", "checking", "supplement_requested", "posting", "proposed")


def _refuse_overlap(beneficiary: Beneficiary) -> None:
    """Issue 25: one open decision about a record at a time; two at once could each be
    signed against terms the other changes."""
    open_one = db.session.scalar(
        select(Case.code).where(
            Case.procedure_code == MONTHLY_ALLOWANCE_PROCEDURE,
            Case.subject_national_id == beneficiary.person.national_id,
            Case.status.in_(OPEN_STATUSES),
        ).limit(1)
    )  # fmt: skip
    if open_one:
        raise DomainError(
            _l("Dossier %(code)s about this person is still open: decide it first.",
               code=open_one),
            field="request",
        )  # fmt: skip


def file_change_request(
    user, national_id: str, request: str, relationship: str | None, details: str,
    actor: Actor, today: date,
) -> Case:  # fmt: skip
    """The citizen asks to adjust or stop an allowance, their own or that of someone they
    declare for (giving their relationship): a 1.001776 dossier to the commune that pays
    it, checked like any other."""
    if request not in ("adjust", "stop"):
        raise DomainError(_l("Choose what the dossier asks for."), field="request")
    beneficiary = db.session.scalar(
        select(Beneficiary).join(Person, Person.id == Beneficiary.person_id).where(
            Person.national_id == national_id, Beneficiary.status.in_(RECEIVING))
    )  # fmt: skip
    if beneficiary is None:
        raise DomainError(_l("No allowance is being paid to this ID number."),
                          field="national_id")  # fmt: skip
    declarant = None
    if national_id != user.national_id:
        if not (relationship or "").strip():
            raise DomainError(_l("Say how you are related to the person."), field="relationship")
        declarant = {"full_name": user.full_name, "national_id": user.national_id,
                     "relationship": relationship.strip()}  # fmt: skip
    return open_change_dossier(beneficiary, request, actor, today, applicant_user_id=user.id,
                               declarant=declarant, details=details)  # fmt: skip


def propose(case: Case, proposal: Proposal, actor: Actor, today: date) -> Case:
    """Step 3: the officer's proposal. A proposal to approve is posted publicly first where
    the province posts the procedure (domain.md section 2); a proposal to refuse, and one
    the province does not post, goes to the chairman at once."""
    _lock(case)
    if case.status != "checking":
        raise InvalidTransition(_l("Only a dossier being checked can be proposed."))
    if proposal.outcome == "refuse":
        if not (proposal.reasons or "").strip():
            raise DomainError(_l("Give the reasons for the refusal."), field="reasons")
    elif proposal.outcome == "approve":
        _check_terms(case, proposal, today)
    else:
        raise DomainError(_l("Choose approve or refuse."), field="outcome")
    # Issue 29.6 (decision 180): the officer is not paid by what they propose.
    refuse_own_payee(actor, paid_by(case, proposal), field="payee_national_id")
    case.proposed_outcome = proposal.outcome
    case.proposed_by_user_id = actor.user_id
    case.proposal = {k: v for k, v in asdict(proposal).items() if v not in (None, "")}
    if proposal.outcome == "approve":
        case.amount = _one_off_amount(case, proposal) or case.amount
    record_audit(actor, "case.proposal", "case", case.code, case.proposal,
                 commune_code=case.commune_code)  # fmt: skip
    if proposal.outcome == "approve" and posting_required(
        case.procedure_code, province_of_commune(case.commune_code)
    ):
        case.posted_on = today
        case.posting_ends_on = add_working_days(today, POSTING_WORKING_DAYS)
        return move_case(case, "posting", actor)
    return _to_chairman(case, actor)


def paid_by(case: Case, proposal: Proposal | dict | None) -> list[str | None]:
    """The ID numbers a dossier names to be paid or to collect (decision 180): the person
    concerned, the declarant (who collects a one-off amount, as the payment lines say),
    and the guardian a proposal names."""
    terms = proposal if isinstance(proposal, dict) else asdict(proposal) if proposal else {}
    return [case.subject_national_id, case.declarant_national_id,
            terms.get("payee_national_id")]  # fmt: skip


def _to_chairman(case: Case, actor: Actor) -> Case:
    move_case(case, "proposed", actor)
    notify_commune_officers(case, "awaiting_decision", role="chairman")
    return case


def _check_terms(case: Case, proposal: Proposal, today: date) -> None:
    request = request_of(case)
    if case.procedure_code == MONTHLY_ALLOWANCE_PROCEDURE and request == "grant":
        check_allowance_terms(case, proposal, today)
    elif case.procedure_code == MONTHLY_ALLOWANCE_PROCEDURE:
        check_change_terms(beneficiary_of_case(case), request, proposal, Month.of(today))
    elif case.procedure_code == FUNERAL_PROCEDURE:
        check_funeral_eligible(case)
    elif case.procedure_code == MOVE_IN_PROVINCE:
        check_move_terms(moving_beneficiary(case), case.commune_code, change_of(proposal))
    elif case.procedure_code == MOVE_OUT_PROCEDURE:
        check_move_out_terms(case, proposal)
    elif case.procedure_code == HOUSING_PROCEDURE and proposal.housing not in HOUSING_KINDS:
        raise DomainError(_l("Choose the kind of housing support."), field="housing")


def _one_off_amount(case: Case, proposal: Proposal) -> int | None:
    """The one-off amount the rules give (domain.md section 4): a funeral at the standard
    level in force on the date of death, housing support by the kind of work."""
    province = province_of_commune(case.commune_code)
    if case.procedure_code in FUNERAL_RULES:
        if case.amount:  # set from the death registration (Decree 63/2024)
            return case.amount
        died = (case.data or {}).get("date_of_death")
        if not died:
            raise DomainError(_l("The dossier gives no date of death."))
        try:
            return one_off_amount(
                FUNERAL_RULES[case.procedure_code], province, date.fromisoformat(died)
            )
        except NoRuleInForce:
            # domain.md section 4: a date no rule covers is never a server error; the
            # dossier stays as it is, flagged, until the rule tables hold the level.
            raise DomainError(
                _l(
                    "No rule in force gives the amount for a death on %(date)s: the rule "
                    "tables need the level of that date before this dossier can be "
                    "approved. Nothing was changed.",
                    date=format_day(date.fromisoformat(died)),
                )
            ) from None
    if case.procedure_code == HOUSING_PROCEDURE:
        return one_off_amount(proposal.housing, province, case.received_on)
    return None


def send_to_chairman(case: Case, actor: Actor, today: date) -> Case:
    """After the posting: the proposal goes to the chairman once its 2 working days are
    over and every complaint made meanwhile has its answer."""
    _lock(case)
    if case.status != "posting":
        raise InvalidTransition(_l("This dossier is not posted publicly."))
    if today <= case.posting_ends_on:
        raise DomainError(
            _l(
                "The posting runs until %(day)s: the dossier goes to the chairman after it.",
                day=format_day(case.posting_ends_on),
            )  # fmt: skip
        )
    if any(c.answered_on is None for c in case.complaints):
        raise DomainError(_l("A complaint about the posting has no answer yet."))
    return _to_chairman(case, actor)


def back_to_checking(case: Case, note: str, actor: Actor) -> Case:
    """The officer takes a posted proposal back (a complaint upheld), or the chairman
    sends a proposal back: the dossier is checked again, with the reason in its timeline."""
    _lock(case)
    if not (note or "").strip():
        raise DomainError(_l("Say why the dossier goes back to checking."), field="note")
    if case.status not in ("posting", "proposed"):
        raise InvalidTransition(_l("Only a posted or proposed dossier can go back to checking."))
    case.posted_on = case.posting_ends_on = None
    case.proposed_outcome = None
    case.proposed_by_user_id = None  # the next proposal is its officer's
    return move_case(case, "checking", actor, note=note.strip())


def record_complaint(case: Case, complainant: str, complaint: str, actor: Actor,
                     today: date) -> CaseComplaint:  # fmt: skip
    """A complaint about the posted proposal (domain.md section 2 step 3), due an answer
    within 10 working days. It is not shown to the applicant."""
    _lock(case)  # against a send to the chairman at the same moment
    if case.status != "posting":
        raise InvalidTransition(_l("Complaints are taken while the proposal is posted."))
    if not complainant.strip():
        raise DomainError(_l("Give the name of whoever complains."), field="complainant")
    if not complaint.strip():
        raise DomainError(_l("Write what the complaint says."), field="text")
    if any(c.received_on == today and c.complainant == complainant.strip()[:120]
           and c.text == complaint.strip()[:2000] for c in case.complaints):  # fmt: skip
        raise AlreadyRecorded(_l("This complaint is already recorded."))
    row = CaseComplaint(
        case=case, received_on=today, complainant=complainant.strip()[:120],
        text=complaint.strip()[:2000],
        examine_by=add_working_days(today, COMPLAINT_WORKING_DAYS),
    )  # fmt: skip
    db.session.add(row)
    db.session.flush()
    record_audit(actor, "case.complaint", "case", case.code, {"complaint": row.id},
                 commune_code=case.commune_code)  # fmt: skip
    return row


def answer_complaint(row: CaseComplaint, answer: str, actor: Actor, today: date) -> None:
    if row.answered_on is not None:
        raise AlreadyRecorded(_l("This complaint already has its answer."))
    if not answer.strip():
        raise DomainError(_l("Write the answer to the complaint."), field="answer")
    row.answer, row.answered_on = answer.strip()[:2000], today
    record_audit(actor, "case.complaint_answered", "case", row.case.code, {"complaint": row.id},
                 commune_code=row.case.commune_code)  # fmt: skip


# One statement for the counter, as for dossier codes (cases.service._NEXT_CASE_NUMBER);
# a decision and a notice (a refusal) each count in their own series (migration 0039).
_NEXT_NUMBER = {
    "decision_sequences": text(
        "INSERT INTO decision_sequences (commune_code, year, last_value) "
        "VALUES (:commune_code, :year, 1) "
        "ON CONFLICT (commune_code, year) "
        "DO UPDATE SET last_value = decision_sequences.last_value + 1 "
        "RETURNING last_value"
    ),
    "notice_sequences": text(
        "INSERT INTO notice_sequences (commune_code, year, last_value) "
        "VALUES (:commune_code, :year, 1) "
        "ON CONFLICT (commune_code, year) "
        "DO UPDATE SET last_value = notice_sequences.last_value + 1 "
        "RETURNING last_value"
    ),
}


def next_decision_number(commune_code: str, year: int, refusal: bool = False) -> str:
    """``12/QĐ-UBND``: the commune's decisions numbered from 1 each year, as the commune
    people's committee numbers its documents; a refusal is a notice, ``3/TB-UBND``, in the
    series of notices (Decree 30/2020/NĐ-CP: each kind of document its own series). The
    counter row stays locked until the commit, so two documents never share a number."""
    table, suffix = ("notice_sequences", "TB") if refusal else ("decision_sequences", "QĐ")
    with db.session.no_autoflush:
        value = db.session.execute(
            _NEXT_NUMBER[table], {"commune_code": commune_code, "year": year}
        ).scalar_one()
    return f"{value}/{suffix}-UBND"


def decide(case: Case, approve: bool, reasons: str | None, actor: Actor, today: date) -> Case:
    """Step 4 (ND20 Art 8.1; since 1 July 2025 the commune chairman): approve with a
    numbered decision, which takes effect at once (the monthly allowance enters the
    registry; a one-off amount is paid by the next batch), or refuse in writing, with
    reasons. The applicant is first checked against the population register."""
    _lock(case)
    if case.status in ("approved", "refused"):
        raise AlreadyRecorded(_l("This dossier is already decided: nothing was changed."))
    if case.status != "proposed":
        raise InvalidTransition(_l("Only a dossier proposed to the chairman can be decided."))
    reasons = (reasons or "").strip() or None
    if approve and case.proposed_outcome != "approve":
        raise DomainError(_l("The officer proposed a refusal: refuse, or send the dossier back "
                             "to checking."))  # fmt: skip
    if not approve and not reasons:
        raise DomainError(_l("Give the reasons for the refusal."), field="reasons")
    # Issue 29.6 (decisions 180, 181): the signer neither proposed nor is paid; the
    # database refuses the first too (ck_cases_signer_not_proposer).
    refuse_signing_own_proposal(actor, case.proposed_by_user_id)
    refuse_own_payee(actor, paid_by(case, case.proposal))
    if approve:
        _check_population_register(case)
    decision = Decision(
        number=next_decision_number(case.commune_code, today.year, refusal=not approve),
        signed_on=today,
        commune_code=case.commune_code, kind=request_of(case) if approve else "refuse",
        legal_basis=procedure(case.procedure_code).legal_basis,
        # Unique: a second signature of the dossier, however it got here, is refused by
        # the database (migration 0032).
        case_id=case.id,
    )  # fmt: skip
    db.session.add(decision)
    db.session.flush()
    case.decision_id = decision.id
    case.decided_on = today
    case.decided_by_user_id = actor.user_id
    case.decision_reasons = reasons
    if approve:
        # domain.md section 2: the registry changes in the signature's transaction.
        apply_decision(case, decision, actor, today)
    record_audit(actor, "case.decision", "case", case.code,
                 {"decision": decision.number, "approve": approve, "kind": decision.kind},
                 commune_code=case.commune_code)  # fmt: skip
    return move_case(case, "approved" if approve else "refused", actor, note=reasons)


def _check_population_register(case: Case) -> None:
    """Art 8.1 as since 2025: the chairman checks the applicant against the national
    population database (here: the persons the portal knows). An ID number the register
    holds under another name or date of birth is sent back to the officer."""
    person = db.session.scalar(select(Person).where(Person.national_id == case.subject_national_id))
    born = (case.data or {}).get("date_of_birth")
    if person is None:
        return
    same_name = _plain(person.full_name) == _plain(case.subject_name or "")
    same_birth = born is None or person.date_of_birth.isoformat() == born
    if not (same_name and same_birth):
        raise DomainError(_l("The population register holds this ID number under another name "
                             "or date of birth: send the dossier back to checking."))  # fmt: skip


def _plain(name: str) -> str:
    return " ".join(name.split()).casefold()


# domain.md section 2 step 3: "HIV status never shown". A posted proposal under these
# categories (ND20 Art 5.3, 5.8) names no category on the notice.
HIV_CATEGORIES = frozenset({"CHILD_HIV_POOR", "HIV_POOR"})


@dataclass(frozen=True)
class PostedLine:
    """One line of the commune's posting notice (danh sách niêm yết công khai)."""

    code: str
    name: str
    birth_year: int | None
    address: str | None
    procedure_code: str
    category: str | None  # ``None``: not to be shown (HIV) or none proposed
    amount: int | None
    posted_on: date
    posting_ends_on: date


def posting_notice(cases: list[Case]) -> list[PostedLine]:
    """The proposals posted at the commune office, as the notice shows them: who, where,
    what is proposed; never an HIV category (domain.md section 2 step 3)."""
    lines = []
    for case in cases:
        data = case.data or {}
        category = (case.proposal or {}).get("category")
        born = data.get("date_of_birth")
        lines.append(
            PostedLine(
                case.code,
                case.subject_name,
                int(born[:4]) if born else None,
                data.get("address"),
                case.procedure_code,
                None if category in HIV_CATEGORIES else category,
                case.amount,
                case.posted_on,
                case.posting_ends_on,
            )  # fmt: skip
        )
    return lines
