"""Notify the people concerned by a dossier: in the app at once, by email and SMS through
the outbox and the ``notify`` queue (``notify.outbox``), always in the reader's own
language, with a link to the dossier."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, insert, select

from benefits.accounts.models import User
from benefits.cases.models import CaseEvent
from benefits.extensions import db
from benefits.labels import case_note
from benefits.notify.models import Notification, OutboxMessage
from benefits.notify.outbox import send_message, write_copies

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


_INSERT_NOTIFICATIONS = insert(Notification.__table__).returning(
    Notification.__table__.c.id, Notification.__table__.c.user_id
)


def _notify(user_ids: list[int], kind: str, case) -> list[int]:
    """The in-app notifications, written together (one INSERT), with their copies by email
    and SMS in the outbox, in the same transaction (issue 29.2). Returns their ids."""
    if not user_ids:
        return []
    rows = [
        {"user_id": user_id, "case_id": case.id, "kind": kind, "case_code": case.code}
        for user_id in user_ids
    ]
    written = db.session.execute(_INSERT_NOTIFICATIONS, rows).all()
    write_copies([(row.id, row.user_id) for row in written])
    return [row.id for row in written]


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
    """A job enqueued before the outbox existed (still waiting in RQ at the upgrade): its
    email copy goes through the outbox, so that it is sent once (decision 140)."""
    copy = select(OutboxMessage.id).where(
        OutboxMessage.notification_id == notification_id, OutboxMessage.channel == "email"
    )
    message_id = db.session.scalar(copy)
    if message_id is None:
        notification = db.session.get(Notification, notification_id)
        if notification is None or notification.emailed_at is not None:
            return
        db.session.add(OutboxMessage(notification_id=notification_id, channel="email"))
        db.session.commit()  # kept even if this first attempt fails
        message_id = db.session.scalar(copy)
    send_message(message_id)


def notifications_for(user_id: int, limit: int = 20) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )
