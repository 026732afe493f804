"""Named queries over dossiers, with the date rules next to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, literal, select, tuple_

from benefits.accounts.models import AuditEntry, User
from benefits.cases.models import Case, CaseEvent
from benefits.extensions import db
from benefits.places.calendar import working_days_between

OPEN_STATUSES = ("submitted", "checking", "supplement_requested", "posting", "proposed")
CLOSED_STATUSES = ("approved", "refused", "withdrawn")
# domain.md section 2: past due, or due within 2 working days, is flagged in the queue.
DUE_SOON_WORKING_DAYS = 2


# A page of the officer's queue (keyset pagination, performance.md): long enough for a
# day's work, short enough to stay fast with thousands of open dossiers.
QUEUE_PAGE = 50


@dataclass
class QueuePage:
    cases: list[Case]
    open_count: int
    # The key of the last dossier shown, when more follow (``after`` of the next page).
    next_after: tuple[date, int] | None


def fetch_commune_queue(
    commune_filter,
    after: tuple[date, int] | None = None,
    limit: int = QUEUE_PAGE,
    step: str | None = None,
) -> QueuePage:
    """The open dossiers the officer may see, the soonest due first, ``limit`` after the
    key ``after`` (due date, id); only those at ``step`` when it is an open one (the
    chairman's "waiting for a decision"). Open dossiers always have a due date (set on
    submission)."""
    statuses = (step,) if step in OPEN_STATUSES else OPEN_STATUSES
    open_cases = select(Case).where(commune_filter, Case.status.in_(statuses))
    page = open_cases
    if after is not None:
        page = page.where(tuple_(Case.due_on, Case.id) > tuple_(literal(after[0]), after[1]))
    cases = list(db.session.scalars(page.order_by(Case.due_on, Case.id).limit(limit + 1)))
    more = len(cases) > limit
    cases = cases[:limit]
    count = db.session.scalar(select(func.count()).select_from(open_cases.subquery()))
    return QueuePage(cases, count, (cases[-1].due_on, cases[-1].id) if more else None)


def fetch_posted(commune_filter) -> list[Case]:
    """The dossiers whose proposal is posted now, in the order they were posted."""
    return list(
        db.session.scalars(
            select(Case)
            .where(commune_filter, Case.status == "posting")
            .order_by(Case.commune_code, Case.posted_on, Case.id)
        )
    )


def fetch_recently_closed(commune_filter, limit: int = 20) -> list[Case]:
    """The commune's last closed dossiers (decided or withdrawn), newest first: a dossier
    leaves the queue when it closes, and the officer still needs to find it again."""
    return list(
        db.session.scalars(
            select(Case)
            .where(commune_filter, Case.status.in_(CLOSED_STATUSES))
            .order_by(Case.id.desc())
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


def draft_deleted_by(draft_id: int, user_id: int) -> bool:
    """Whether this user deleted draft ``draft_id`` (its audit entry is all that is left):
    a replayed delete is answered as done, not as a page that does not exist."""
    found = db.session.scalar(
        select(AuditEntry.id)
        .where(
            AuditEntry.object_type == "case",
            AuditEntry.object_id == str(draft_id),
            AuditEntry.action == "case.draft_deleted",
            AuditEntry.actor_id == user_id,
        )
        .limit(1)
    )
    return found is not None


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


def event_actor_names(case: Case) -> dict[str, str]:
    """``{"user:12": "Nguyễn Thị Cán Bộ"}`` for the people who moved the dossier, so that
    its timeline says who did each step (the system's own labels stay out)."""
    ids = {
        int(label.removeprefix("user:"))
        for label in {event.actor_label for event in case.events}
        if label.startswith("user:") and label.removeprefix("user:").isdigit()
    }
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids)))
    return {f"user:{user_id}": name for user_id, name in rows}
