"""Opening dossiers and moving them through the one state machine."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from benefits.accounts.audit import Actor, record_audit
from benefits.cases.models import Case, CaseEvent, CaseSequence
from benefits.errors import InvalidTransition
from benefits.extensions import db
from benefits.procedures.catalogue import procedure

# The allowed moves of every procedure's dossier (domain.md section 2).
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"submitted", "withdrawn"}),
    "submitted": frozenset({"checking", "withdrawn"}),
    "checking": frozenset({"supplement_requested", "posting", "proposed", "refused", "withdrawn"}),
    "supplement_requested": frozenset({"checking", "withdrawn"}),
    "posting": frozenset({"proposed", "checking", "withdrawn"}),
    "proposed": frozenset({"approved", "refused", "checking"}),
    "approved": frozenset(),
    "refused": frozenset(),
    "withdrawn": frozenset(),
}


def next_case_code(commune_code: str, year: int) -> str:
    """``BTXH-00070-2025-000123``: the counter row is updated in the transaction, so two
    dossiers never get the same number (the code is also unique in the database)."""
    updated = db.session.execute(
        update(CaseSequence)
        .where(CaseSequence.commune_code == commune_code, CaseSequence.year == year)
        .values(last_value=CaseSequence.last_value + 1)
        .returning(CaseSequence.last_value)
    ).scalar()
    if updated is None:
        db.session.add(CaseSequence(commune_code=commune_code, year=year, last_value=1))
        db.session.flush()
        updated = 1
    return f"BTXH-{commune_code}-{year}-{updated:06d}"


def move_case(case: Case, to_status: str, actor: Actor, note: str | None = None) -> Case:
    """The one state machine: refuse a move the procedure's steps do not allow."""
    if to_status not in TRANSITIONS.get(case.status, frozenset()):
        raise InvalidTransition(
            _l("A dossier cannot go from %(old)s to %(new)s.", old=case.status, new=to_status)
        )
    previous = case.status
    case.status = to_status
    db.session.add(
        CaseEvent(case=case, from_status=previous, to_status=to_status, actor_label=actor.label,
                  note=note)
    )  # fmt: skip
    record_audit(
        actor, f"case.{to_status}", "case", case.code or case.id,
        {"status": [previous, to_status], **({"note": note} if note else {})},
        commune_code=case.commune_code,
    )  # fmt: skip
    db.session.flush()
    return case


def open_case(
    procedure_code: str,
    commune_code: str,
    subject_name: str,
    actor: Actor,
    received_on: date,
    *,
    subject_national_id: str | None = None,
    subject_person_id: int | None = None,
    applicant_user_id: int | None = None,
    declarant: dict | None = None,
    data: dict | None = None,
    amount: int | None = None,
    origin: str = "online",
) -> Case:
    """A dossier received on ``received_on``: submitted, with its code and its due date in
    working days (the procedure's deadline, domain.md section 2)."""
    declarant = declarant or {}
    case = Case(
        procedure_code=procedure_code,
        commune_code=commune_code,
        status="submitted",
        origin=origin,
        applicant_user_id=applicant_user_id,
        subject_person_id=subject_person_id,
        subject_name=subject_name,
        subject_national_id=subject_national_id,
        declarant_name=declarant.get("full_name"),
        declarant_national_id=declarant.get("national_id"),
        declarant_relationship=declarant.get("relationship"),
        declarant_address=declarant.get("address"),
        data=data or {},
        amount=amount,
        received_on=received_on,
        due_on=procedure(procedure_code).due_date(received_on),
        code=next_case_code(commune_code, received_on.year),
    )
    db.session.add(case)
    db.session.add(
        CaseEvent(case=case, from_status=None, to_status="submitted", actor_label=actor.label)
    )
    db.session.flush()
    record_audit(
        actor, "case.submitted", "case", case.code,
        {"procedure": procedure_code, "origin": origin, "amount": amount},
        commune_code=commune_code,
    )  # fmt: skip
    return case


def find_case(code: str) -> Case | None:
    return db.session.scalar(select(Case).where(Case.code == code))
