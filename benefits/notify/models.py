"""In-app notifications (the email copy goes through the ``notify`` queue)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
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
