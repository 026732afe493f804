"""What an approval changes (domain.md section 2 "What each decision changes"): one map,
keyed by the procedure and the kind of decision, to the function that applies it, run in
the transaction of the chairman's signature (``workflow.decide``). The registry owns how a
record starts, changes, pauses and stops (``registry.grant``, ``registry.lifecycle``); a
death goes through the one death engine (``deaths.service.record_death``). A refusal
changes nothing but the dossier.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from benefits.accounts.audit import Actor
from benefits.cases.models import Case
from benefits.deaths.service import DeathReport, apply_deaths_reported_before, record_death
from benefits.errors import DomainError
from benefits.extensions import db
from benefits.month import Month
from benefits.people.models import Person
from benefits.procedures.catalogue import procedure
from benefits.registry.grant import (
    MONTHLY_ALLOWANCE_PROCEDURE,
    grant_monthly_allowance,
    person_of_case,
)
from benefits.registry.lifecycle import (
    IN_FACILITY,
    MOVE_OUT_PROCEDURE,
    MOVED_OUT,
    RECEIVING,
    adjust_allowance,
    change_of,
    last_month_issued,
    move_within_province,
    resume_allowance,
    stop_allowance,
    suspend_allowance,
)
from benefits.registry.models import Beneficiary, Decision

FUNERAL_PROCEDURE = "1.001731"  # ND20 Art 11
EMERGENCY_FUNERAL_PROCEDURE = "EMERGENCY-FUNERAL"  # ND20 Art 14
MOVE_IN_PROVINCE = "MOVE-IN-PROVINCE"  # ND20 Art 8.3
ADMISSION_PROCEDURE = "2.000286"  # ND20 Art 27
EMERGENCY_ADMISSION_PROCEDURE = "2.000282"  # ND20 Art 28

# The kinds of 1.001776 dossier (Thực hiện, điều chỉnh, thôi hưởng), as the dossier's
# ``data["request"]`` names them; a dossier that names none asks for a grant. Suspend and
# resume are decisions too (TT02 Art 2.3, 6.1.b).
REQUESTS = {
    "grant": _l("Grant"),
    "adjust": _l("Adjust"),
    "stop": _l("Stop"),
    "suspend": _l("Suspend"),
    "resume": _l("Resume"),
}


def request_of(case: Case) -> str:
    """The kind of decision the dossier asks for: ``grant`` unless a 1.001776 dossier
    names another; a move to another province is the old commune's stop (ND20 Art 8.4)."""
    if case.procedure_code == MOVE_OUT_PROCEDURE:
        return "stop"
    if case.procedure_code != MONTHLY_ALLOWANCE_PROCEDURE:
        return "grant"
    return (case.data or {}).get("request") or "grant"


def beneficiary_of_case(case: Case) -> Beneficiary:
    """The record an adjust, stop, suspend or resume dossier is about: the one it was
    opened from, else the one of the person it names, in the dossier's commune."""
    code = (case.data or {}).get("beneficiary_code")
    query = select(Beneficiary).where(Beneficiary.commune_code == case.commune_code)
    if code:
        found = db.session.scalar(query.where(Beneficiary.code == code))
    else:
        found = db.session.scalar(
            query.join(Person, Person.id == Beneficiary.person_id).where(
                Person.national_id == case.subject_national_id
            )
        )
    if found is None:
        raise DomainError(_l("The person has no allowance record in this commune."))
    return found


def _month_of(terms: dict, field: str = "from_month") -> Month:
    text = terms.get(field)
    if not text:
        raise DomainError(_l("Give the month."), field=field)
    return Month.parse(text)


def _grant(case: Case, decision: Decision, actor: Actor, today: date) -> None:
    grant_monthly_allowance(case, decision, actor, today)
    decision.beneficiary_id = db.session.scalar(
        select(Beneficiary.id).where(Beneficiary.person_id == case.subject_person_id)
    )
    # A death reported before the person was known is theirs now (issue 25 item 6).
    apply_deaths_reported_before(actor, today, [case.subject_person_id])


def _adjust(case: Case, decision: Decision, actor: Actor, today: date) -> None:
    terms = case.proposal or {}
    beneficiary = beneficiary_of_case(case)
    decision.beneficiary_id = beneficiary.id
    adjust_allowance(beneficiary, change_of(terms), _month_of(terms), Month.of(today), actor,
                     decision)  # fmt: skip


def _stop(case: Case, decision: Decision, actor: Actor, today: date) -> None:
    terms = case.proposal or {}
    beneficiary = beneficiary_of_case(case)
    decision.beneficiary_id = beneficiary.id
    # TT02 Art 2.1, ND20 Art 8.2: paid up to the month of the event, stopped after it.
    stop_allowance(beneficiary, _month_of(terms), terms.get("stop_reason"), actor, decision)


def _suspend(case: Case, decision: Decision, actor: Actor, today: date) -> None:
    beneficiary = beneficiary_of_case(case)
    decision.beneficiary_id = beneficiary.id
    suspend_allowance(beneficiary, (case.proposal or {}).get("suspend_reason"), actor, decision)


def _resume(case: Case, decision: Decision, actor: Actor, today: date) -> None:
    beneficiary = beneficiary_of_case(case)
    decision.beneficiary_id = beneficiary.id
    resume_allowance(beneficiary, actor, decision)


def moving_beneficiary(case: Case) -> Beneficiary:
    """The record a move dossier is about: the person's, in whichever commune pays them
    (the dossier is at the new commune, ND20 Art 8.3)."""
    found = db.session.scalar(
        select(Beneficiary)
        .join(Person, Person.id == Beneficiary.person_id)
        .where(Person.national_id == case.subject_national_id)
    )
    if found is None:
        raise DomainError(_l("The person receives no allowance to move."), field="outcome")
    return found


def _move_in_province(case: Case, decision: Decision, actor: Actor, today: date) -> None:
    beneficiary = moving_beneficiary(case)
    decision.beneficiary_id = beneficiary.id
    case.subject_person_id = beneficiary.person_id
    move_within_province(beneficiary, case.commune_code, change_of(case.proposal or {}), actor,
                         decision)  # fmt: skip


def _move_out_of_province(case: Case, decision: Decision, actor: Actor, today: date) -> None:
    """ND20 Art 8.4: the old commune's stop decision names M, the last month it pays."""
    beneficiary = beneficiary_of_case(case)
    decision.beneficiary_id = beneficiary.id
    case.subject_person_id = beneficiary.person_id
    stop_allowance(beneficiary, _month_of(case.proposal or {}), MOVED_OUT, actor, decision)


def check_move_out_terms(case: Case, proposal) -> None:
    """The record is paid here, and M is a month from which a stop can take effect."""
    beneficiary = beneficiary_of_case(case)
    if beneficiary.status not in RECEIVING:
        raise DomainError(_l("Only an allowance still being paid can move."), field="outcome")
    try:
        month = Month.parse(proposal.from_month or "")
    except ValueError:
        raise DomainError(_l("Give the month as YYYY-MM."), field="from_month") from None
    issued = last_month_issued(beneficiary.id)
    if issued is not None and month < issued:
        raise DomainError(
            _l("Month %(month)s is already paid: the stop takes effect after the last "
               "month paid, or record an overpayment.", month=str(issued)),
            field="from_month",
        )  # fmt: skip


def _admission(case: Case, decision: Decision, actor: Actor, today: date) -> None:
    """ND20 Art 27, 28 (domain.md section 2): a resident receives the facility's nurture
    allowance, not the Art 6 monthly allowance, so a community allowance the person
    receives stops from the month after admission (the month signed; a later month a
    batch has already issued stays paid, a locked batch never changes)."""
    record = db.session.scalar(
        select(Beneficiary)
        .join(Person, Person.id == Beneficiary.person_id)
        .where(Person.national_id == case.subject_national_id, Beneficiary.status.in_(RECEIVING))
    )
    if record is None:
        return
    decision.beneficiary_id = record.id
    case.subject_person_id = record.person_id
    last = max(Month.of(today), last_month_issued(record.id) or Month.of(today))
    stop_allowance(record, last, IN_FACILITY, actor, decision)


def _one_off(case: Case, decision: Decision, actor: Actor, today: date) -> None:
    """A one-off line in the next batch (domain.md section 4): the dossier's person."""
    if case.subject_person_id is None:
        case.subject_person_id = person_of_case(case).id


def _funeral(case: Case, decision: Decision, actor: Actor, today: date) -> None:
    """ND20 Art 11, 14: a one-off line to the organiser; and the death through the one
    death engine when the portal does not know it yet, so that a funeral support never
    leaves the deceased's allowance or care support running (domain.md section 2)."""
    _one_off(case, decision, actor, today)
    person = db.session.get(Person, case.subject_person_id)
    died = (case.data or {}).get("date_of_death")
    if person.died_on is not None or not died:
        return
    report = DeathReport(
        # The dossier's code is the registration's number: unique, and a replay of the
        # same approval finds it.
        registration_number=case.code, national_id=person.national_id,
        full_name=person.full_name, date_of_death=date.fromisoformat(died),
        registered_on=today, commune_code=case.commune_code,
        declarant={"full_name": case.declarant_name or "",
                   "national_id": case.declarant_national_id or "",
                   "relationship": case.declarant_relationship},
    )  # fmt: skip
    # This dossier is the funeral support, and no residence is deregistered by it.
    record_death(report, actor, "funeral_dossier", today, deregister=False, funeral=False)


DecisionEffect = Callable[[Case, Decision, Actor, date], None]

# domain.md section 2, the table "What each decision changes": (procedure, kind) → effect.
# A procedure absent here records its decision and letter only (moves, facilities, the
# disability certificate and the social pension are still entered by the officer).
DECISION_EFFECTS: dict[tuple[str, str], DecisionEffect] = {
    (MONTHLY_ALLOWANCE_PROCEDURE, "grant"): _grant,
    (MONTHLY_ALLOWANCE_PROCEDURE, "adjust"): _adjust,
    (MONTHLY_ALLOWANCE_PROCEDURE, "stop"): _stop,
    (MONTHLY_ALLOWANCE_PROCEDURE, "suspend"): _suspend,
    (MONTHLY_ALLOWANCE_PROCEDURE, "resume"): _resume,
    (MOVE_IN_PROVINCE, "grant"): _move_in_province,
    (MOVE_OUT_PROCEDURE, "stop"): _move_out_of_province,
    (ADMISSION_PROCEDURE, "grant"): _admission,
    (EMERGENCY_ADMISSION_PROCEDURE, "grant"): _admission,
    (FUNERAL_PROCEDURE, "grant"): _funeral,
    (EMERGENCY_FUNERAL_PROCEDURE, "grant"): _funeral,
}


def apply_decision(case: Case, decision: Decision, actor: Actor, today: date) -> None:
    """The approval's effect, in the signature's transaction (each effect audits what it
    changes): any refusal by the registry rolls the signature back with it."""
    effect = DECISION_EFFECTS.get((case.procedure_code, decision.kind))
    if effect is None and procedure(case.procedure_code).payout_kind is not None:
        effect = _one_off
    if effect is not None:
        effect(case, decision, actor, today)


def check_funeral_eligible(case: Case) -> None:
    """ND20 Art 11: funeral support for a monthly-allowance beneficiary. The deceased must
    have been receiving the allowance in the month of death (a record still receiving,
    or stopped by that death); checked when the officer proposes an approval."""
    died = (case.data or {}).get("date_of_death")
    if not died:
        raise DomainError(_l("The dossier gives no date of death."))
    month = Month.of(date.fromisoformat(died))
    record = db.session.scalar(
        select(Beneficiary)
        .join(Person, Person.id == Beneficiary.person_id)
        .where(Person.national_id == case.subject_national_id)
    )
    receiving = record is not None and (
        record.status in RECEIVING
        or (record.status == "deceased" and record.last_entitled_month == month)
    )
    if not receiving or record.effective_month > month:
        raise DomainError(
            _l("The deceased was not receiving a monthly allowance in the month of death "
               "(ND20 Art 11): propose a refusal."),
            field="outcome",
        )  # fmt: skip
    # One funeral support per death: another dossier for the same person, open or paid.
    other = db.session.scalar(
        select(Case.code).where(
            Case.procedure_code == FUNERAL_PROCEDURE,
            Case.subject_national_id == case.subject_national_id,
            Case.id != case.id,
            Case.status.notin_(("refused", "withdrawn", "draft")),
        ).limit(1)
    )  # fmt: skip
    if other:
        raise DomainError(
            _l("Dossier %(code)s already asks for this person's funeral support: propose a "
               "refusal.", code=other),
            field="outcome",
        )  # fmt: skip
