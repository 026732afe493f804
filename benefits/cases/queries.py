"""Named queries over dossiers, with the date rules next to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import case as sql_case
from sqlalchemy import func, literal, select, tuple_

from benefits.accounts.models import AuditEntry, User
from benefits.cases.models import Case, CaseComplaint, CaseEvent
from benefits.extensions import db
from benefits.places.calendar import (
    add_working_days,
    is_working_day,
    vietnam_today,
    working_days_between,
)

OPEN_STATUSES = ("submitted", "checking", "supplement_requested", "posting", "proposed")
CLOSED_STATUSES = ("approved", "refused", "withdrawn")
# domain.md section 2: past due, or due within 2 working days, is flagged in the queue.
DUE_SOON_WORKING_DAYS = 2


# A page of the officer's queue (keyset pagination, performance.md): long enough for a
# day's work, short enough to stay fast with thousands of open dossiers.
QUEUE_PAGE = 50
# What the queue's state filter offers besides one status: the open dossiers (the queue
# itself, the default) or every dossier sent, open or closed (drafts are the citizen's).
QUEUE_STATES = ("open", "all")
DEADLINES = ("overdue", "due_soon")


@dataclass(frozen=True)
class QueueFilter:
    """What the officer searches the queue for (issue 30 item 1, decision 121)."""

    # Part of a dossier code or of the person's name, as typed.
    text: str = ""
    # A whole personal ID number: the person's dossiers (never carried in a URL).
    national_id: str | None = None
    procedure: str | None = None
    # ``open``, ``all`` or one status of ``CASE_STATUSES`` but ``draft``.
    state: str = "open"
    # ``overdue`` or ``due_soon`` (domain.md section 2), or None.
    deadline: str | None = None


@dataclass
class QueuePage:
    cases: list[Case]
    # How many dossiers the filter finds, and how many come before this page.
    total: int
    before: int
    # The key of the last dossier shown, when more follow (``after`` of the next page).
    next_after: tuple[date, int] | None


@dataclass(frozen=True)
class DeadlineBounds:
    """The dates that decide ``deadline_flag`` for every dossier of a day, so that SQL
    filters and counts as the flag does: due before the last working day up to today is
    past due (a working day has passed since its due date); due from that day and before
    the third working day after today is due within 2 working days."""

    overdue_before: date
    soon_before: date

    @classmethod
    def of(cls, today: date) -> DeadlineBounds:
        last_working = today
        while not is_working_day(last_working):
            last_working -= timedelta(days=1)
        return cls(last_working, add_working_days(today, DUE_SOON_WORKING_DAYS + 1))

    def clause(self, deadline: str):
        # The clock stops while supplements are asked for: never flagged (deadline_flag).
        flagged = Case.status.in_(tuple(s for s in OPEN_STATUSES if s != "supplement_requested"))
        if deadline == "overdue":
            return flagged & (Case.due_on < self.overdue_before)
        return flagged & (Case.due_on >= self.overdue_before) & (Case.due_on < self.soon_before)


def _states(state: str) -> tuple[str, ...]:
    if state == "all":
        return OPEN_STATUSES + CLOSED_STATUSES
    if state in OPEN_STATUSES + CLOSED_STATUSES:
        return (state,)
    return OPEN_STATUSES


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _matching(commune_filter, flt: QueueFilter, today: date):
    query = select(Case).where(commune_filter, Case.status.in_(_states(flt.state)))
    if flt.national_id:
        query = query.where(Case.subject_national_id == flt.national_id)
    if text := flt.text.strip():
        pattern = _like(text)
        query = query.where(
            Case.code.ilike(pattern, escape="\\") | Case.subject_name.ilike(pattern, escape="\\")
        )
    if flt.procedure:
        query = query.where(Case.procedure_code == flt.procedure)
    if flt.deadline in DEADLINES:
        query = query.where(DeadlineBounds.of(today).clause(flt.deadline))
    # Every dossier sent has a due date (set on submission): the key is never NULL.
    return query.where(Case.due_on.is_not(None))


def fetch_commune_queue(
    commune_filter,
    after: tuple[date, int] | None = None,
    limit: int = QUEUE_PAGE,
    flt: QueueFilter | None = None,
    today: date | None = None,
) -> QueuePage:
    """The dossiers the officer may see that ``flt`` finds (the open ones by default), the
    soonest due first, ``limit`` after the key ``after`` (due date, id); counted with the
    same filter, and how many come before the page, so that the page says "51-100 of
    734" (keyset pages, performance.md)."""
    flt = flt or QueueFilter()
    matching = _matching(commune_filter, flt, today or vietnam_today())
    key = tuple_(Case.due_on, Case.id)
    page = matching
    if after is not None:
        page = page.where(key > tuple_(literal(after[0]), literal(after[1])))
    cases = list(db.session.scalars(page.order_by(Case.due_on, Case.id).limit(limit + 1)))
    more = len(cases) > limit
    cases = cases[:limit]
    counted = matching.with_only_columns(func.count(), maintain_column_froms=True)
    total = db.session.scalar(counted)
    before = 0
    if after is not None:
        before = db.session.scalar(
            counted.where(key <= tuple_(literal(after[0]), literal(after[1])))
        )
    return QueuePage(cases, total, before, (cases[-1].due_on, cases[-1].id) if more else None)


def queue_counts(commune_filter, today: date) -> dict[str, int]:
    """The open dossiers the officer may see, counted by status and by deadline flag
    (``overdue``, ``due_soon``, ``open``), in one grouped statement: the numbers the
    queue's filters show beside their names."""
    bounds = DeadlineBounds.of(today)
    rows = db.session.execute(
        select(
            Case.status,
            func.count(),
            func.sum(sql_case((bounds.clause("overdue"), 1), else_=0)),
            func.sum(sql_case((bounds.clause("due_soon"), 1), else_=0)),
        )
        .where(commune_filter, Case.status.in_(OPEN_STATUSES))
        .group_by(Case.status)
    ).all()
    counts = {status: n for status, n, _late, _soon in rows}
    counts["open"] = sum(n for _s, n, _late, _soon in rows)
    counts["overdue"] = sum(int(late or 0) for *_x, late, _soon in rows)
    counts["due_soon"] = sum(int(soon or 0) for *_x, soon in rows)
    return counts


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


def complaints_overdue(case_ids: list[int], today: date) -> set[int]:
    """Of ``case_ids``, the dossiers with a complaint still unanswered after its 10 working
    days (domain.md section 2 step 3; ``examine_by`` is stored when it is received)."""
    if not case_ids:
        return set()
    return set(
        db.session.scalars(
            select(CaseComplaint.case_id).where(
                CaseComplaint.case_id.in_(case_ids),
                CaseComplaint.answered_on.is_(None),
                CaseComplaint.examine_by < today,
            )
        )
    )


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
