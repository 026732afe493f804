"""Dossiers, their timeline, and the per-commune, per-year sequence of dossier codes."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Date, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from benefits.extensions import db
from benefits.models_base import Timestamps, utcnow
from benefits.registry.models import Decision

# ND20 Art 8.1 as applied since 1 July 2025 (domain.md section 2, "Steps of a case").
CASE_STATUSES = (
    "draft", "submitted", "checking", "supplement_requested", "posting", "proposed",
    "approved", "refused", "withdrawn",
)  # fmt: skip


class Case(Timestamps, db.Model):
    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'submitted', 'checking', 'supplement_requested', 'posting', "
            "'proposed', 'approved', 'refused', 'withdrawn')",
            name="status_known",
        ),
        CheckConstraint("amount IS NULL OR amount >= 0", name="amount_not_negative"),
        # Decision 62: a draft keeps whatever was typed; a dossier sent has its commune and
        # the name of the person concerned.
        CheckConstraint(
            "status = 'draft' OR commune_code IS NOT NULL", name="commune_unless_draft"
        ),
        CheckConstraint(
            "status = 'draft' OR subject_name IS NOT NULL", name="subject_name_unless_draft"
        ),
        # Decision 78: what the officer proposes to the chairman, and the posting's days.
        CheckConstraint(
            "proposed_outcome IS NULL OR proposed_outcome IN ('approve', 'refuse')",
            name="proposed_outcome_known",
        ),
        CheckConstraint(
            "(posted_on IS NULL) = (posting_ends_on IS NULL)", name="posting_has_both_days"
        ),
        CheckConstraint("status <> 'posting' OR posted_on IS NOT NULL", name="posting_has_days"),
        CheckConstraint(
            "status <> 'proposed' OR proposed_outcome IS NOT NULL", name="proposed_has_outcome"
        ),
        # Issue 29.6 (decision 181): the chairman who signs never proposed.
        CheckConstraint(
            "decided_by_user_id IS NULL OR proposed_by_user_id IS NULL "
            "OR decided_by_user_id <> proposed_by_user_id",
            name="signer_not_proposer",
        ),
        # The officer's queue and its search by ID number (decision 121).
        Index("ix_cases_queue", "commune_code", "status", "due_on", "id"),
        Index("ix_cases_subject_national_id", "subject_national_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # BTXH-00070-2025-000123: commune, year, sequence (issued on submission).
    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    procedure_code: Mapped[str] = mapped_column(String(30), index=True)
    commune_code: Mapped[str | None] = mapped_column(ForeignKey("communes.code"), index=True)
    status: Mapped[str] = mapped_column(String(24), default="draft")
    # How it arrived: online, desk (one-stop desk), civil_registry (linked death), officer.
    origin: Mapped[str] = mapped_column(String(20), default="online")
    applicant_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    subject_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    subject_name: Mapped[str | None] = mapped_column(String(120))
    subject_national_id: Mapped[str | None] = mapped_column(String(12))
    # Someone declaring on the person's behalf (or the declarant of a death).
    declarant_name: Mapped[str | None] = mapped_column(String(120))
    declarant_national_id: Mapped[str | None] = mapped_column(String(12))
    declarant_relationship: Mapped[str | None] = mapped_column(String(60))
    declarant_address: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    amount: Mapped[int | None] = mapped_column(db.BigInteger)
    received_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    decided_on: Mapped[date | None] = mapped_column(Date)
    # The token of the form that submitted it: a replayed POST finds this dossier again.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The officer's proposal (decision 78): ``approve`` with its terms in ``proposal``
    # (category, payment, amount), or ``refuse`` with its reasons there.
    proposed_outcome: Mapped[str | None] = mapped_column(String(10))
    proposal: Mapped[dict | None] = mapped_column(JSON)
    # Public posting at the commune office (ND20 Art 8.1, domain.md section 2 step 3): the
    # day it was posted and the last of its 2 working days.
    posted_on: Mapped[date | None] = mapped_column(Date)
    posting_ends_on: Mapped[date | None] = mapped_column(Date)
    # The chairman's numbered decision (approval) or written refusal; one per dossier.
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"), unique=True)
    # The chairman's reasons for a refusal, as written to the applicant.
    decision_reasons: Mapped[str | None] = mapped_column(String(2000))
    # Who proposed and who signed (decision 181; the audit rows say so too, these let the
    # database refuse one person for both).
    proposed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    events: Mapped[list[CaseEvent]] = relationship(back_populates="case", order_by="CaseEvent.id")
    attachments: Mapped[list[Attachment]] = relationship(order_by="Attachment.id")
    complaints: Mapped[list[CaseComplaint]] = relationship(
        back_populates="case", order_by="CaseComplaint.id"
    )
    decision: Mapped[Decision | None] = relationship(foreign_keys=[decision_id])


class CaseEvent(db.Model):
    """One step of a dossier's timeline (shown to the citizen and the officer)."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    actor_label: Mapped[str] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(String(2000))

    case: Mapped[Case] = relationship(back_populates="events")


class CaseComplaint(db.Model):
    """A complaint made while a dossier's proposed result is posted publicly (domain.md
    section 2 step 3: examined within 10 working days). While one is unanswered the
    dossier does not go to the chairman."""

    __tablename__ = "case_complaints"
    __table_args__ = (
        CheckConstraint("(answered_on IS NULL) = (answer IS NULL)", name="answer_has_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    # received_on + 10 working days.
    examine_by: Mapped[date] = mapped_column(Date)
    complainant: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(String(2000))
    answered_on: Mapped[date | None] = mapped_column(Date)
    answer: Mapped[str | None] = mapped_column(String(2000))

    case: Mapped[Case] = relationship(back_populates="complaints")


class DecisionSequence(db.Model):
    """The last decision number a commune's chairman signed in a year (``12/QĐ-UBND``)."""

    __tablename__ = "decision_sequences"

    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)


class NoticeSequence(db.Model):
    """The last notice number (a refusal, ``3/TB-UBND``) a commune's chairman signed in a
    year: notices have their own series, apart from decisions (migration 0039)."""

    __tablename__ = "notice_sequences"

    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)


class CaseSequence(db.Model):
    """The last dossier number issued in a commune and year (codes never repeat)."""

    __tablename__ = "case_sequences"

    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)


class Attachment(db.Model):
    """A paper attached to a dossier, stored outside the web root under a random name."""

    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint("size_bytes > 0", name="not_empty"),
        CheckConstraint(
            "content_type IN ('application/pdf', 'image/jpeg', 'image/png')", name="type_allowed"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# How each status reads to a citizen or an officer.
STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted, waiting to be checked"),
    "checking": _l("Being checked"),
    "supplement_requested": _l("Papers asked for"),
    "posting": _l("Posted publicly"),
    "proposed": _l("Proposed to the chairman"),
    "approved": _l("Approved"),
    "refused": _l("Refused"),
    "withdrawn": _l("Withdrawn"),
}


# The notes the system writes in a dossier's timeline, stored in no language (like an
# overpayment's reason): ``labels.case_note`` words them for the reader. The first two are
# the English words written before (decision 63), so rows of either time read the same.
# Any other note is a person's (a request for papers, a withdrawal reason), shown as typed.
NO_ANSWER_NOTE = "no answer within 30 days"
DEATH_CANCELLED_NOTE = re.compile(r"death registration (?P<number>.+) cancelled")
DEATH_RECORDED_NOTE = re.compile(r"death recorded: registration (?P<number>.+)")


def death_cancelled_note(registration_number: str) -> str:
    """A funeral dossier withdrawn because its death registration was cancelled."""
    return f"death registration {registration_number} cancelled"


def death_recorded_note(registration_number: str) -> str:
    """A linked death dossier approved: the death recorded under this number."""
    return f"death recorded: registration {registration_number}"
