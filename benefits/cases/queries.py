"""Named queries over dossiers, with the date rules next to them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from benefits.cases.models import Case, CaseEvent
from benefits.extensions import db
from benefits.places.calendar import working_days_between

OPEN_STATUSES = ("submitted", "checking", "supplement_requested", "posting", "proposed")
# domain.md section 2: past due, or due within 2 working days, is flagged in the queue.
DUE_SOON_WORKING_DAYS = 2


def fetch_commune_queue(commune_filter, limit: int = 200) -> list[Case]:
    return list(
        db.session.scalars(
            select(Case)
            .where(commune_filter, Case.status.in_(OPEN_STATUSES))
            .order_by(Case.due_on, Case.id)
            .limit(limit)
        )
    )


def fetch_open_case_for(procedure_code: str, subject_national_id: str) -> Case | None:
    """A dossier under ``procedure_code`` for the same person still being handled."""
    return db.session.scalar(
        select(Case)
        .where(
            Case.procedure_code == procedure_code,
            Case.subject_national_id == subject_national_id,
            Case.status.in_(OPEN_STATUSES),
        )
        .order_by(Case.id)
        .limit(1)
    )


def deadline_flag(case: Case, today: date) -> str | None:
    """``overdue``, ``due_soon`` or ``None`` (the clock stops while supplements are asked)."""
    if case.due_on is None or case.status == "supplement_requested":
        return None
    left = working_days_between(today, case.due_on)
    if left < 0:
        return "overdue"
    if left <= DUE_SOON_WORKING_DAYS:
        return "due_soon"
    return None


def fetch_citizen_cases(user_id: int) -> list[Case]:
    return list(
        db.session.scalars(
            select(Case).where(Case.applicant_user_id == user_id).order_by(Case.id.desc())
        )
    )


# domain.md section 2: a case left unanswered 30 days after a request for papers is closed
# as withdrawn.
SUPPLEMENT_WAIT_DAYS = 30


def fetch_unanswered_supplements(today: date) -> list[Case]:
    """Dossiers whose request for papers has waited more than 30 days."""
    last_request = (
        select(CaseEvent.case_id, func.max(CaseEvent.at).label("asked_at"))
        .where(CaseEvent.to_status == "supplement_requested")
        .group_by(CaseEvent.case_id)
        .subquery()
    )
    limit = datetime.combine(today - timedelta(days=SUPPLEMENT_WAIT_DAYS), time.min, UTC)
    return list(
        db.session.scalars(
            select(Case)
            .join(last_request, last_request.c.case_id == Case.id)
            .where(Case.status == "supplement_requested", last_request.c.asked_at < limit)
        )
    )
