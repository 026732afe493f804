"""Death registrations received from the civil registry, a citizen or an officer."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, DateTime, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from benefits.extensions import db
from benefits.models_base import utcnow


class DeathRecord(db.Model):
    """One death registration (khai tử) and what its effects did, so that they happen
    once and can be reversed if the civil registry cancels it."""

    __tablename__ = "death_records"
    __table_args__ = (
        CheckConstraint("status IN ('effective', 'duplicate', 'cancelled')", name="status_known"),
        # One effective death per person: the same death reported twice has effects once.
        Index(
            "uq_death_records_effective_person",
            "person_id",
            unique=True,
            sqlite_where=text("status = 'effective' AND person_id IS NOT NULL"),
            postgresql_where=text("status = 'effective' AND person_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_number: Mapped[str] = mapped_column(String(60), unique=True)
    national_id: Mapped[str] = mapped_column(String(12), index=True)
    full_name: Mapped[str] = mapped_column(String(120))
    date_of_death: Mapped[date] = mapped_column(Date)
    registered_on: Mapped[date] = mapped_column(Date)
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), index=True)
    declarant: Mapped[dict] = mapped_column(JSON)
    # Who organises the funeral and collects the deceased's arrears (domain.md 5, 6).
    declarant_name: Mapped[str] = mapped_column(String(120))
    declarant_national_id: Mapped[str] = mapped_column(String(12))
    source: Mapped[str] = mapped_column(String(40))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    status: Mapped[str] = mapped_column(String(12), default="effective")
    # SHA-256 of the canonical request: an identical replay answers the first response.
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict] = mapped_column(JSON)
    # What the effects changed, to reverse them on a cancellation.
    undo: Mapped[dict] = mapped_column(JSON, default=dict)
    funeral_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
