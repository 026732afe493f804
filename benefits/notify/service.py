"""Notify the people concerned by a dossier: in the app at once, by email through the
``notify`` queue, always in the reader's own language."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, insert, select

from benefits.accounts.models import User
from benefits.cases.models import CaseEvent
from benefits.extensions import db
from benefits.jobs import enqueue
from benefits.labels import case_note
from benefits.notify.mail import send_email
from benefits.notify.models import Notification

MESSAGES = {
    "submitted": _l("Your dossier %(code)s was received."),
    "checking": _l("The commune office is checking your dossier %(code)s."),
    "supplement_requested": _l("Papers are missing from your dossier %(code)s: please answer."),
    "posting": _l("The proposal on your dossier %(code)s is posted at the commune office."),
    "proposed": _l("Your dossier %(code)s was proposed to the commune chairman."),
    "approved": _l("Your dossier %(code)s is approved."),
    "refused": _l("Your dossier %(code)s is refused; the decision gives the reasons."),
    "withdrawn": _l("Your dossier %(code)s is closed as withdrawn."),
    "funeral_case_opened": _l("A funeral support dossier %(code)s opened after a death."),
    "awaiting_decision": _l("The dossier %(code)s waits for your decision."),
}


def render(notification: Notification, locale: str) -> str:
    with force_locale(locale):
        message = str(MESSAGES[notification.kind] % {"code": notification.case_code or ""})
        note = case_note(_closing_note(notification), notification.case_code)
        return _("%(message)s Reason: %(note)s", message=message, note=note) if note else message


# A dossier is withdrawn once (the step is final): the why of that step, read with the
# notification, which stores none (the 30 days without papers, a cancelled death, or the
# citizen's own reason), in the reader's language as on the dossier's page.
_WITHDRAWAL_NOTE = (
    select(CaseEvent.note)
    .where(CaseEvent.case_id == bindparam("case_id"), CaseEvent.to_status == "withdrawn")
    .limit(1)
)


def _closing_note(notification: Notification) -> str | None:
    if notification.kind != "withdrawn" or notification.case_id is None:
        return None
    return db.session.scalar(_WITHDRAWAL_NOTE, {"case_id": notification.case_id})


def notify_user(user_id: int, kind: str, case) -> int:
    return _notify([user_id], kind, case)[0]


_INSERT_NOTIFICATIONS = insert(Notification.__table__).returning(Notification.__table__.c.id)


def _notify(user_ids: list[int], kind: str, case) -> list[int]:
    """The in-app notifications, written together (one INSERT), each with its email job.
    Returns their ids."""
    if not user_ids:
        return []
    rows = [
        {"user_id": user_id, "case_id": case.id, "kind": kind, "case_code": case.code}
        for user_id in user_ids
    ]
    ids = list(db.session.scalars(_INSERT_NOTIFICATIONS, rows))
    for notification_id in ids:
        enqueue(send_notification_email, notification_id, queue="notify")
    return ids


def notify_case_change(case, kind: str) -> None:
    if case.applicant_user_id and kind in MESSAGES:
        notify_user(case.applicant_user_id, kind, case)


_COMMUNE_STAFF = select(User.id).where(
    User.role == bindparam("role"), User.commune_code == bindparam("commune_code"), User.active
)


def notify_commune_officers(case, kind: str, role: str = "officer") -> None:
    """Every active member of the commune's staff in ``role`` (the officers; the
    chairman for a dossier proposed for a decision)."""
    staff = db.session.scalars(_COMMUNE_STAFF, {"commune_code": case.commune_code, "role": role})
    _notify(list(staff), kind, case)


def send_notification_email(notification_id: int) -> None:
    """The job: send the email copy once (``emailed_at`` marks it sent)."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.emailed_at is not None:
        return
    user = db.session.get(User, notification.user_id)
    if not user.email:
        return
    body = render(notification, user.locale or "vi")
    send_email(user.email, body, body)
    notification.emailed_at = datetime.now(UTC)


def notifications_for(user_id: int, limit: int = 20) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )
