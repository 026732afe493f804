"""In-app notifications, and the outbox of their copies by email and SMS."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from benefits.extensions import db
from benefits.models_base import utcnow


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    # Rendered in the reader's language when shown or sent (see notify.messages).
    kind: Mapped[str] = mapped_column(String(40))
    case_code: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


CHANNELS = ("email", "sms")


class OutboxMessage(db.Model):
    """A copy of a notification to send by ``channel``, written in the transaction of its
    cause (issue 29.2, decision 140). ``sent_at`` ends it: sent, or nothing to send (the
    address was removed since, said in ``last_error``). One row per notification and
    channel (unique), marked under a row lock: a copy is never sent twice. The address
    and the text are read when sending, so the row holds no personal data."""

    __tablename__ = "notification_outbox"
    __table_args__ = (
        UniqueConstraint("notification_id", "channel"),
        CheckConstraint("channel IN ('email', 'sms')", name="channel_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_notification_outbox_due", "sent_at", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"))
    channel: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The kind of the last failure (an exception's class name), never a message: an SMTP
    # or gateway answer may repeat the address.
    last_error: Mapped[str | None] = mapped_column(String(80))
