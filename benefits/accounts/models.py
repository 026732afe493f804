"""Accounts of citizens and staff, and the append-only audit log."""

from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, Date, DateTime, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column

from benefits.extensions import db
from benefits.models_base import Timestamps, utcnow

# domain.md section 1. ``officer``: công chức văn hoá - xã hội; ``chairman``: Chủ tịch
# UBND cấp xã; ``payment``: payment officer; ``admin``: province admin (Sở Y tế).
ROLES = ("citizen", "officer", "chairman", "payment", "admin")
STAFF_ROLES = ("officer", "chairman", "payment", "admin")


class User(UserMixin, Timestamps, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('citizen', 'officer', 'chairman', 'payment', 'admin')", name="role_known"
        ),
        # Citizens log in with their ID number, staff with their email.
        CheckConstraint("role <> 'citizen' OR national_id IS NOT NULL", name="citizen_has_id"),
        CheckConstraint("role = 'citizen' OR email IS NOT NULL", name="staff_has_email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    full_name: Mapped[str] = mapped_column(String(120))
    national_id: Mapped[str | None] = mapped_column(String(12), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(1))
    password_hash: Mapped[str] = mapped_column(String(255))
    # A temporary password given at the commune's desk: a new one before anything else.
    password_must_change: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The commune a staff member works for (NULL for a province admin); a citizen's own.
    commune_code: Mapped[str | None] = mapped_column(ForeignKey("communes.code"), index=True)
    # The province a province admin or province payment officer works for.
    province_code: Mapped[str | None] = mapped_column(ForeignKey("provinces.code"))
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class AuditEntry(db.Model):
    """Nhật ký: one row per state change, written in the same transaction as the change.

    Append-only: no code path updates or deletes these rows.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Who acted when there is no user: "system:civil-registry", "cli", "job:payments".
    actor_label: Mapped[str] = mapped_column(String(120))
    ip: Mapped[str | None] = mapped_column(String(45))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(64))
    commune_code: Mapped[str | None] = mapped_column(String(5), index=True)
    # The province the change belongs to, which scopes the admin's audit page (decision
    # 74); NULL for what is national (the rule tables, national runs, API clients).
    province_code: Mapped[str | None] = mapped_column(String(2), index=True)
    changes: Mapped[dict | None] = mapped_column(JSON)


class LoginSession(db.Model):
    """One log-in in one browser (decision 72). The signed session cookie names its row;
    logging out or leaving it idle ends it, so a copied cookie is worth nothing after."""

    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # secrets.token_urlsafe
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
