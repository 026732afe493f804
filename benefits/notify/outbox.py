"""The outbox of the copies of notifications by email and SMS (issue 29.2, decision 140).

A notification's copies are rows of ``notification_outbox`` written in the transaction
that writes the notification, itself the transaction of its cause (a submission, a
decision, a death): they exist exactly when the cause committed. Each is then sent by
``send_message``, enqueued on the ``notify`` queue (RQ when Redis answers, in process
when it does not, see ``benefits.jobs``). A failed send is kept with its next attempt
time and, with Redis, an RQ job scheduled for then; ``send_pending`` (``flask --app
wsgi notify send-pending``, from cron every minute) sends every copy that is due, those
whose job died with Redis too, so a copy is retried until sent: none is lost.
The row is marked sent under its row lock, taken before sending: a second sender of the
same copy waits, then finds it sent, so none goes out twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import insert, select, update

from benefits.accounts.models import User
from benefits.extensions import db
from benefits.jobs import enqueue
from benefits.notify.mail import send_email
from benefits.notify.models import Notification, OutboxMessage
from benefits.notify.sms import send_sms

log = logging.getLogger(__name__)

# Seconds before the next attempt after the 1st, 2nd, 3rd failure; then every hour.
RETRY_DELAYS = (60, 300, 900, 3600)

# The page a reader of each role opens a dossier on (the link in the copy).
_DOSSIER_PAGES = {
    "citizen": "citizen.dossier",
    "officer": "officer.case_detail",
    "chairman": "officer.case_detail",
}

_path = f"{__name__}:send_message"

_INSERT_COPIES = insert(OutboxMessage.__table__).returning(OutboxMessage.__table__.c.id)


def write_copies(notifications: list[tuple[int, int]]) -> list[int]:
    """The outbox rows of these notifications (id, reader's user id): an email copy
    to a reader with an address, an SMS copy to one with a phone number; each enqueued
    for sending once the transaction commits. Returns the rows' ids."""
    addresses = {
        row.id: row
        for row in db.session.execute(
            select(User.id, User.email, User.phone).where(
                User.id.in_({user_id for _id, user_id in notifications})
            )
        )
    }
    rows = []
    for notification_id, user_id in notifications:
        reader = addresses[user_id]
        if reader.email:
            rows.append({"notification_id": notification_id, "channel": "email"})
        if reader.phone:
            rows.append({"notification_id": notification_id, "channel": "sms"})
    if not rows:
        return []
    ids = list(db.session.scalars(_INSERT_COPIES, rows))
    for message_id in ids:
        enqueue(send_message, message_id, queue="notify")
    return ids


# A scheduled retry may start this much before its time (clocks of two machines).
_EARLY = timedelta(seconds=5)


def send_message(message_id: int, now: datetime | None = None) -> bool:
    """The job: send one copy unless it is already sent, or not due (another attempt of
    this round failed first and set the next). True when this call sent it.

    The UPDATE that counts the attempt takes the row's lock (on SQLite the database's
    write lock) until the job commits, so the check of ``sent_at`` and its marking are
    one step for every concurrent sender. A failure is recorded, not raised: the copy
    waits in the outbox for its next attempt."""
    now = now or datetime.now(UTC)
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.next_attempt_at <= now + _EARLY,
        )
        .values(attempts=OutboxMessage.attempts + 1)
    ).rowcount
    if not claimed:
        return False
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    try:
        sent = _deliver(message)
    except Exception as error:
        db.session.rollback()
        _record_failure(message_id, error, now)
        return False
    message.sent_at = now
    if not sent:
        message.last_error = "no_address"
    return sent


def _record_failure(message_id: int, error: Exception, now: datetime) -> None:
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    message.attempts += 1
    delay = RETRY_DELAYS[min(message.attempts, len(RETRY_DELAYS)) - 1]
    message.next_attempt_at = now + timedelta(seconds=delay)
    message.last_error = type(error).__name__[:80]
    # The kind of failure only: an SMTP or gateway answer may repeat the address.
    log.warning(
        "notification copy %s (%s) not sent, attempt %s (%s): next in %s s",
        message_id, message.channel, message.attempts, message.last_error, delay,
    )  # fmt: skip
    _retry_later(message_id, delay)


def _retry_later(message_id: int, delay: int) -> None:
    """With Redis, the next attempt is also an RQ job, scheduled (``flask worker`` runs
    RQ's scheduler), so that no cron is needed; without it, or if Redis does not answer,
    the sweep makes it. Both at once send once (the row lock)."""
    if not current_app.config.get("REDIS_URL"):
        return
    from redis.exceptions import RedisError
    from rq import Queue

    from benefits.jobs import redis_connection, run_job

    try:
        Queue("notify", connection=redis_connection()).enqueue_in(
            timedelta(seconds=delay), run_job, _path, message_id
        )
    except RedisError:
        log.warning("queue notify unreachable: copy %s waits for the sweep", message_id)


def _deliver(message: OutboxMessage) -> bool:
    """Send the copy to the reader's address as it is now. False when there is none."""
    from benefits.notify.service import render

    notification = db.session.get(Notification, message.notification_id)
    reader = db.session.get(User, notification.user_id)
    locale = reader.locale or "vi"
    text = render(notification, locale)
    link = dossier_link(reader.role, notification.case_code)
    with force_locale(locale):
        follow = _("Open the dossier: %(link)s", link=link) if link else ""
    if message.channel == "email":
        if not reader.email:
            return False
        send_email(reader.email, _subject(text), f"{text}\n\n{follow}" if follow else text)
        notification.emailed_at = notification.emailed_at or datetime.now(UTC)
        return True
    if not reader.phone:
        return False
    send_sms(reader.phone, f"{text} {link}" if link else text)
    return True


def _subject(text: str, limit: int = 150) -> str:
    """One line (a citizen's reason for a withdrawal may hold line breaks, which a mail
    header refuses), cut at a word."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit].rsplit(" ", 1)[0] + " …"


def dossier_link(role: str, case_code: str | None) -> str | None:
    """The address of the dossier's page for a reader of ``role``, from ``PUBLIC_URL``
    (never a request's Host header, as the password reset links)."""
    endpoint = _DOSSIER_PAGES.get(role)
    if not endpoint or not case_code:
        return None
    path = current_app.url_map.bind("localhost").build(endpoint, {"code": case_code})
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


_DUE = (
    select(OutboxMessage.id)
    .where(OutboxMessage.sent_at.is_(None))
    .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
)


def send_pending(limit: int = 500, now: datetime | None = None) -> tuple[int, int]:
    """Send every copy that is due, each in its own transaction (the sweep, run by cron
    and by hand). Returns (sent, still waiting)."""
    now = now or datetime.now(UTC)
    due = list(db.session.scalars(_DUE.where(OutboxMessage.next_attempt_at <= now).limit(limit)))
    db.session.commit()
    sent = 0
    for message_id in due:
        sent += bool(send_message(message_id, now))
        db.session.commit()
    return sent, pending_count()


def pending_count() -> int:
    from sqlalchemy import func

    return db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
    )
