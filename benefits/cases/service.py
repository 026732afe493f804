"""Opening dossiers and moving them through the one state machine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, text

from benefits.accounts.audit import Actor, draft_places, record_audit
from benefits.cases.attachments import (
    AttachmentRefused,
    Upload,
    delete_attachments,
    store_attachments,
)
from benefits.cases.models import STATUS_LABELS, Case, CaseEvent
from benefits.cases.queries import fetch_open_case_for
from benefits.errors import AlreadyRecorded, DomainError, InvalidTransition
from benefits.extensions import db
from benefits.i18n import portal_zone
from benefits.models_base import aware_utc
from benefits.notify.models import Notification, OutboxMessage
from benefits.notify.service import notify_case_change
from benefits.places.calendar import add_working_days, working_days_between
from benefits.procedures.catalogue import procedure
from benefits.safe_text import refuse_formula

# The allowed moves of every procedure's dossier (domain.md section 2).
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"submitted", "withdrawn"}),
    "submitted": frozenset({"checking", "withdrawn"}),
    # A linked death dossier (Decree 63/2024) is accepted by the commune directly.
    "checking": frozenset(
        {"supplement_requested", "posting", "proposed", "approved", "refused", "withdrawn"}
    ),
    "supplement_requested": frozenset({"checking", "withdrawn"}),
    "posting": frozenset({"proposed", "checking", "withdrawn"}),
    # ``withdrawn`` from ``proposed``: only the system's, for a funeral dossier whose death
    # registration is cancelled; the applicant cannot withdraw here (decision 58).
    "proposed": frozenset({"approved", "refused", "checking", "withdrawn"}),
    "approved": frozenset(),
    "refused": frozenset(),
    "withdrawn": frozenset(),
}

# The steps from which the applicant may still withdraw a dossier (rút hồ sơ) themselves:
# before the chairman has it (decision 58). Once proposed, only the commune office can
# send it back to checking.
WITHDRAWABLE_BY_APPLICANT = frozenset({"submitted", "checking", "supplement_requested", "posting"})


# One statement for the counter, on SQLite and PostgreSQL alike; built once.
_NEXT_CASE_NUMBER = text(
    "INSERT INTO case_sequences (commune_code, year, last_value) "
    "VALUES (:commune_code, :year, 1) "
    "ON CONFLICT (commune_code, year) "
    "DO UPDATE SET last_value = case_sequences.last_value + 1 "
    "RETURNING last_value"
)


def next_case_code(commune_code: str, year: int) -> str:
    """``BTXH-00070-2025-000123``: one upsert of the counter row, in the transaction, so two
    dossiers never get the same number (the code is also unique in the database). The row
    stays locked until the commit: dossiers of one commune are numbered one at a time."""
    with db.session.no_autoflush:  # the dossier is written after, with its code
        value = db.session.execute(
            _NEXT_CASE_NUMBER, {"commune_code": commune_code, "year": year}
        ).scalar_one()
    return f"BTXH-{commune_code}-{year}-{value:06d}"


def move_case(case: Case, to_status: str, actor: Actor, note: str | None = None) -> Case:
    """The one state machine: refuse a move the procedure's steps do not allow."""
    if to_status not in TRANSITIONS.get(case.status, frozenset()):
        # In words: the officer reads this when a form is sent twice or from a stale page.
        now = STATUS_LABELS.get(case.status, case.status)
        wanted = STATUS_LABELS.get(to_status, to_status)
        if to_status == case.status:
            raise InvalidTransition(_l("The dossier is already at this step: %(status)s.",
                                       status=now))  # fmt: skip
        raise InvalidTransition(
            _l("The dossier is at the step “%(old)s”: it cannot go to “%(new)s”.", old=now,
               new=wanted)
        )  # fmt: skip
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
    notify_case_change(case, to_status)
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
    case = Case(
        procedure_code=procedure_code, commune_code=commune_code, status="draft",
        origin=origin, applicant_user_id=applicant_user_id,
        subject_person_id=subject_person_id, subject_name=subject_name,
        subject_national_id=subject_national_id, data=data or {}, amount=amount,
    )  # fmt: skip
    _set_declarant(case, declarant)
    db.session.add(case)
    return _submit(case, actor, received_on)


def _set_declarant(case: Case, declarant: dict | None) -> None:
    declarant = declarant or {}
    case.declarant_name = declarant.get("full_name")
    case.declarant_national_id = declarant.get("national_id")
    case.declarant_relationship = declarant.get("relationship")
    case.declarant_address = declarant.get("address")


def _submit(case: Case, actor: Actor, received_on: date) -> Case:
    """Step 1 (domain.md section 2): a receipt with the dossier code and the due date."""
    case.status = "submitted"
    case.received_on = received_on
    case.due_on = procedure(case.procedure_code).due_date(received_on)
    # The code is known before the dossier is written: one INSERT, no UPDATE after it.
    case.code = next_case_code(case.commune_code, received_on.year)
    db.session.add(
        CaseEvent(case=case, from_status="draft", to_status="submitted", actor_label=actor.label)
    )
    record_audit(
        actor, "case.submitted", "case", case.code,
        {"procedure": case.procedure_code, "origin": case.origin, "amount": case.amount},
        commune_code=case.commune_code,
    )  # fmt: skip
    db.session.flush()
    notify_case_change(case, "submitted")
    return case


@dataclass(frozen=True)
class Application:
    """What a citizen's form gives: the person concerned, who declares, the fields. A draft
    may lack any of them (``None``); a dossier sent has every one the form asks for."""

    procedure_code: str
    full_name: str | None
    date_of_birth: date | None
    sex: str | None
    national_id: str | None
    commune_code: str | None
    address: str | None
    declarant: dict | None
    data: dict

    def missing(self) -> str | None:
        """The first value about the person concerned a dossier cannot be sent without."""
        for name in ("full_name", "date_of_birth", "sex", "national_id", "commune_code"):
            if not getattr(self, name):
                return name
        return None


def _fill(case: Case, application: Application) -> None:
    case.procedure_code = application.procedure_code
    case.commune_code = application.commune_code
    case.subject_name = application.full_name
    case.subject_national_id = application.national_id
    _set_declarant(case, application.declarant)
    born = application.date_of_birth
    case.data = {
        **application.data,
        "date_of_birth": born.isoformat() if born else None,
        "sex": application.sex,
        "address": application.address,
    }


def save_draft(application: Application, applicant_user_id: int, token: str, actor: Actor,
               uploads: list[Upload], folder: Path, draft: Case | None = None) -> Case:  # fmt: skip
    """Keep the dossier to finish later, with whatever was typed (decision 62); nothing is
    sent to the commune yet. The same form sent twice (a double click, the Back button)
    updates the one draft it made."""
    if draft is None:
        draft = db.session.scalar(
            select(Case).where(
                Case.idempotency_key == token, Case.applicant_user_id == applicant_user_id
            )
        )
        if draft is not None and draft.status != "draft":
            return draft  # submitted meanwhile from this same form: nothing to keep
    _refuse_a_second_open_dossier(application, applicant_user_id)
    case = draft or Case(status="draft", origin="online", applicant_user_id=applicant_user_id)
    _fill(case, application)
    case.idempotency_key = token
    db.session.add(case)
    db.session.flush()
    if uploads:
        store_attachments(case, uploads, folder)
    # Issue 29.5 (decision 182): read by the admin of the citizen's province only.
    record_audit(actor, "case.draft_saved", "case", case.id,
                 **draft_places(case, applicant_user_id))  # fmt: skip
    return case


def submit_dossier(application: Application, applicant_user_id: int, token: str, actor: Actor,
                   uploads: list[Upload], folder: Path, today: date,
                   draft: Case | None = None) -> tuple[Case, bool]:  # fmt: skip
    """Submit once: a replayed form (same token) returns the dossier it already created.
    Returns the dossier and whether it is new."""
    existing = db.session.scalar(select(Case).where(Case.idempotency_key == token))
    if existing is not None and existing.applicant_user_id == applicant_user_id:
        return existing, False
    if missing := application.missing():  # the form asks first; the database refuses too
        raise DomainError(_l("This is needed before the dossier is sent."), field=missing)
    _refuse_a_second_open_dossier(application, applicant_user_id)
    case = draft or Case(status="draft", origin="online", applicant_user_id=applicant_user_id)
    _fill(case, application)
    case.idempotency_key = token
    db.session.add(case)
    db.session.flush()
    if uploads:
        store_attachments(case, uploads, folder)
    required = [a for a in procedure(case.procedure_code).attachments if a.required]
    if required and not case.attachments and not uploads:
        raise AttachmentRefused(_l("Attach the papers the procedure asks for."),
                                field="attachments")  # fmt: skip
    return _submit(case, actor, today), True


def _refuse_a_second_open_dossier(application: Application, applicant_user_id: int) -> None:
    """One dossier at a time per person and procedure: a citizen unsure the first went
    through fills the form again; a relative applies for a funeral already claimed (domain.md
    section 5: the same death has its effects once). Another person's dossier is not named.
    A draft without the person's ID number is checked when it gets one, or when sent."""
    if not application.national_id:
        return
    existing = fetch_open_case_for(application.procedure_code, application.national_id)
    if existing is None:
        return
    if existing.applicant_user_id == applicant_user_id:
        raise DomainError(_l("You already sent a dossier for this person under this procedure: "
                             "%(code)s. Follow it under My dossiers.", code=existing.code),
                          field="national_id")  # fmt: skip
    raise DomainError(_l("A dossier for this person under this procedure is already being "
                         "handled by the commune office. Contact the commune office to add "
                         "to it."), field="national_id")  # fmt: skip


def start_checking(case: Case, actor: Actor) -> Case:
    return move_case(case, "checking", actor)


def request_supplement(case: Case, message: str, actor: Actor) -> Case:
    """Step 2: the officer asks for more papers; the clock stops until the citizen answers."""
    refuse_formula(message, "message")  # interchange.md conventions (decision 104)
    if case.status == "submitted":
        move_case(case, "checking", actor)
    return move_case(case, "supplement_requested", actor, note=message)


def answer_supplement(case: Case, message: str, uploads: list[Upload], folder: Path,
                      actor: Actor, today: date) -> Case:  # fmt: skip
    """The citizen answers on the dossier page; the case goes back to the officer."""
    if case.status != "supplement_requested":
        raise InvalidTransition(_l("No papers are asked for on this dossier."))
    # ND20 Art 8.1 step 2: the answer restarts the officer's clock, so it must carry something.
    if not message and not uploads:
        raise DomainError(_l("Write an answer or attach a paper."), field="message")
    refuse_formula(message, "message")  # interchange.md conventions (decision 104)
    if uploads:
        store_attachments(case, uploads, folder)
    # domain.md section 2: the clock stops from the request until the answer; the working
    # days waited move the due date (never back).
    asked_on = _local_day(max(e.at for e in case.events if e.to_status == "supplement_requested"))
    if case.due_on is not None:
        case.due_on = add_working_days(case.due_on, max(working_days_between(asked_on, today), 0))
    return move_case(case, "checking", actor, note=message or None)


def _local_day(moment: datetime) -> date:
    """The portal's calendar day of a stored instant (stored in UTC; SQLite gives it naive)."""
    return aware_utc(moment).astimezone(portal_zone()).date()


def _lock(case: Case) -> bool:
    """Lock the dossier's row until the commit and read it again: a second click waits
    for the first one's answer (PostgreSQL) and then sees what it did. False when the row
    is gone (deleted meanwhile)."""
    locked = db.session.scalar(
        select(Case)
        .where(Case.id == case.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return locked is not None


def delete_draft(draft: Case, actor: Actor, folder: Path) -> None:
    """The applicant deletes a draft they saved to finish later, with its papers (their
    files go once the transaction commits). Nothing was sent to the commune: no history is
    kept but the audit entry. A dossier already sent is withdrawn instead."""
    if not _lock(draft):
        raise AlreadyRecorded(_l("This draft is already deleted."))
    if draft.status != "draft":
        raise InvalidTransition(_l("This dossier was sent to the commune office: it cannot be "
                                   "deleted, but you can withdraw it."))  # fmt: skip
    papers = delete_attachments(draft, folder)
    # Nothing else is written for a draft today; should a step add a row, it goes with it.
    db.session.execute(delete(CaseEvent).where(CaseEvent.case_id == draft.id))
    notices = select(Notification.id).where(Notification.case_id == draft.id)
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.notification_id.in_(notices)))
    db.session.execute(delete(Notification).where(Notification.case_id == draft.id))
    record_audit(
        actor, "case.draft_deleted", "case", draft.id,
        {"procedure": draft.procedure_code, "subject": draft.subject_name, "papers": papers},
        **draft_places(draft, draft.applicant_user_id),
    )  # fmt: skip
    db.session.expire(draft, ["events"])  # its rows are gone already
    db.session.delete(draft)
    db.session.flush()


def withdraw_dossier(case: Case, reason: str, actor: Actor) -> Case:
    """The applicant withdraws (rút hồ sơ) a dossier the chairman has not yet received
    (decision 58): it closes as withdrawn, their reason in its timeline. The status is read
    again under the row's lock, so a replayed form changes nothing the second time."""
    _lock(case)
    if case.status == "withdrawn":
        raise AlreadyRecorded(_l("This dossier is already withdrawn: nothing was changed."))
    if case.status == "proposed":
        raise InvalidTransition(_l("The dossier is with the commune chairman for a decision: "
                                   "it can no longer be withdrawn here. Contact the commune "
                                   "office."))  # fmt: skip
    if case.status not in WITHDRAWABLE_BY_APPLICANT:
        raise InvalidTransition(_l("The dossier is closed (%(status)s): it cannot be withdrawn.",
                                   status=STATUS_LABELS.get(case.status, case.status)))  # fmt: skip
    return move_case(case, "withdrawn", actor, note=reason.strip())


def find_case(code: str) -> Case | None:
    return db.session.scalar(select(Case).where(Case.code == code))
