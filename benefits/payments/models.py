"""Payment batches, their lines (one per payee and kind) and the entitlement months each
line pays (``payment_items``), on which "no month is ever paid twice" is enforced."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    and_,
    false,
    or_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from benefits.extensions import db
from benefits.models_base import utcnow
from benefits.month import Month, MonthType

KINDS = ("ALLOWANCE", "CARE_SUPPORT", "FUNERAL", "ONE_OFF")


class PaymentBatch(db.Model):
    """Danh sách chi trả of one month for the whole country, a province or a commune."""

    __tablename__ = "payment_batches"
    __table_args__ = (
        UniqueConstraint("month", "scope_kind", "scope_code"),
        CheckConstraint("scope_kind IN ('province', 'commune', 'national')", name="scope_known"),
        CheckConstraint("(scope_kind = 'national') = (scope_code IS NULL)", name="scope_code_set"),
        CheckConstraint("status IN ('open', 'locked')", name="status_known"),
        # A national batch whose run has not written every province's lines is not locked.
        CheckConstraint("status <> 'locked' OR communes_pending = 0", name="complete_when_locked"),
        CheckConstraint("communes_pending >= 0", name="communes_pending_counted"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[Month] = mapped_column(MonthType)
    scope_kind: Mapped[str] = mapped_column(String(10))
    # None for the national batch (interchange.md section 3: one batch for the country).
    scope_code: Mapped[str | None] = mapped_column(String(5))
    # The communes whose lines the national run under way has still to write.
    communes_pending: Mapped[int] = mapped_column(default=0, server_default="0")
    status: Mapped[str] = mapped_column(String(10), default="open")
    line_count: Mapped[int] = mapped_column(default=0)
    total_amount: Mapped[int] = mapped_column(db.BigInteger, default=0)
    generated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    locked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    csv_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BatchCommune(db.Model):
    """A commune whose lines of the month are in this batch: one batch per month and
    commune (interchange.md section 3: the batches of one month never overlap)."""

    __tablename__ = "payment_batch_communes"
    __table_args__ = (Index("ix_payment_batch_communes_batch_id", "batch_id", "commune_code"),)

    month: Mapped[Month] = mapped_column(MonthType, primary_key=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payment_batches.id"))
    # Its lines are still to be written by the national run under way.
    pending: Mapped[bool] = mapped_column(default=False, server_default=false())


class PaymentLine(db.Model):
    """One row of the payment list: a snapshot of who is paid what, frozen at lock."""

    __tablename__ = "payment_lines"
    __table_args__ = (
        # One line per payee and kind: the allowance once per person, care support once
        # per care record (a new carer is paid apart from the one before), a one-off once
        # per dossier (a person may get two one-offs in a month: a house and a funeral).
        Index(
            "uq_payment_lines_monthly",
            "batch_id",
            "beneficiary_id",
            "kind",
            unique=True,
            sqlite_where=text("case_id IS NULL AND care_support_id IS NULL"),
            postgresql_where=text("case_id IS NULL AND care_support_id IS NULL"),
        ),
        Index(
            "uq_payment_lines_care_support",
            "batch_id",
            "care_support_id",
            unique=True,
            sqlite_where=text("care_support_id IS NOT NULL"),
            postgresql_where=text("care_support_id IS NOT NULL"),
        ),
        Index(
            "uq_payment_lines_one_off",
            "batch_id",
            "case_id",
            unique=True,
            sqlite_where=text("case_id IS NOT NULL"),
            postgresql_where=text("case_id IS NOT NULL"),
        ),
        CheckConstraint("beneficiary_id IS NOT NULL OR case_id IS NOT NULL", name="about_someone"),
        UniqueConstraint("batch_id", "line_no"),
        CheckConstraint("status IN ('open', 'paid', 'unpaid', 'do_not_pay')", name="status_known"),
        CheckConstraint(
            "total_amount = monthly_amount + arrears_amount + one_off_amount", name="total_adds_up"
        ),
    )

    # The batch, beneficiary, dossier and care record of a line are those of the items it
    # pays, which hold the foreign keys; the database checks that every line has its items
    # once per statement and keeps them fixed (migration 0020: a foreign key per line
    # cost a third of the time to write a province's lines).
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int]
    line_no: Mapped[int]
    # The beneficiary the payment is about; NULL for a one-off support to someone who is
    # not a monthly beneficiary (a house repaired), then ``beneficiary_code`` is the dossier's.
    beneficiary_id: Mapped[int | None] = mapped_column(index=True)
    # The approved dossier a one-off line pays (FUNERAL, ONE_OFF); NULL for monthly kinds.
    case_id: Mapped[int | None]
    # The care record a CARE_SUPPORT line pays (its carer is the payee); NULL otherwise.
    care_support_id: Mapped[int | None]
    kind: Mapped[str] = mapped_column(String(12))
    province_code: Mapped[str] = mapped_column(String(2))
    commune_code: Mapped[str] = mapped_column(String(5))
    payment_method: Mapped[str] = mapped_column(String(10))
    payment_point: Mapped[str | None] = mapped_column(String(40))
    beneficiary_code: Mapped[str] = mapped_column(String(40))
    national_id: Mapped[str] = mapped_column(String(12))
    full_name: Mapped[str] = mapped_column(String(120))
    date_of_birth: Mapped[date] = mapped_column(Date)
    address: Mapped[str | None] = mapped_column(String(255))
    payee_name: Mapped[str] = mapped_column(String(120))
    payee_national_id: Mapped[str | None] = mapped_column(String(12))
    category_codes: Mapped[str] = mapped_column(String(400), default="")
    coefficient_pct: Mapped[int] = mapped_column(default=0)
    monthly_amount: Mapped[int] = mapped_column(db.BigInteger, default=0)
    arrears_amount: Mapped[int] = mapped_column(db.BigInteger, default=0)
    arrears_months: Mapped[str] = mapped_column(String(2000), default="")
    one_off_amount: Mapped[int] = mapped_column(db.BigInteger, default=0)
    total_amount: Mapped[int] = mapped_column(db.BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(12), default="open")
    paid_on: Mapped[date | None] = mapped_column(Date)
    # What the post office reported (``PAID``, ``UNPAID``; NULL: not yet). A reported line
    # is final (interchange.md section 3): a trigger (migration 0031) refuses any change of
    # its report, status or payment date unless the same statement counts one more
    # correction, which only the officer's correction does (``service.correct_line``).
    reported: Mapped[str | None] = mapped_column(String(6))
    corrections: Mapped[int] = mapped_column(server_default=text("0"))


class PaymentItem(db.Model):
    """One entitlement month paid by a line (ALLOWANCE for 2025-02, ...).

    The partial unique index is the guarantee that no month is paid twice to the same
    person for the same entitlement, across batches (domain.md section 6): an item stops
    counting only when the post office reports it unpaid (``released``, to be carried
    into a later batch as arrears) or a late death cancels it (``do_not_pay``).
    """

    __tablename__ = "payment_items"
    __table_args__ = (
        CheckConstraint(
            "status IN ('issued', 'paid', 'released', 'do_not_pay')", name="status_known"
        ),
        Index(
            "uq_payment_items_entitlement_month",
            "beneficiary_id",
            "kind",
            "month",
            unique=True,
            sqlite_where=text("status IN ('issued', 'paid') AND case_id IS NULL AND NOT tops_up"),
            postgresql_where=text(
                "status IN ('issued', 'paid') AND case_id IS NULL AND NOT tops_up"
            ),
        ),
        # A back-dated increase's difference for a month already issued (issue 25,
        # migration 0032b): one per month and coefficient.
        Index(
            "uq_payment_items_top_up",
            "beneficiary_id",
            "kind",
            "month",
            "coefficient_pct",
            unique=True,
            sqlite_where=text("status IN ('issued', 'paid') AND case_id IS NULL AND tops_up"),
            postgresql_where=text("status IN ('issued', 'paid') AND case_id IS NULL AND tops_up"),
        ),
        # A one-off support is paid once per approved dossier.
        Index(
            "uq_payment_items_case",
            "case_id",
            unique=True,
            sqlite_where=text("status IN ('issued', 'paid') AND case_id IS NOT NULL"),
            postgresql_where=text("status IN ('issued', 'paid') AND case_id IS NOT NULL"),
        ),
        # The items that name a dossier or a care record, whatever their status.
        *(
            Index(
                f"ix_payment_items_{column}",
                column,
                sqlite_where=text(f"{column} IS NOT NULL"),
                postgresql_where=text(f"{column} IS NOT NULL"),
            )
            for column in ("care_support_id", "case_id")
        ),
    )

    # The batch, care record and dossier an item names are checked to exist and locked
    # once per statement, and kept while items name them (migration 0022: as foreign
    # keys, but not row by row); the beneficiary keeps its foreign key.
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(index=True)
    beneficiary_id: Mapped[int | None] = mapped_column(ForeignKey("beneficiaries.id"))
    kind: Mapped[str] = mapped_column(String(12))
    # One-off kinds: the approved dossier paid; care support: the record paid for.
    case_id: Mapped[int | None]
    care_support_id: Mapped[int | None]
    month: Mapped[Month] = mapped_column(MonthType)
    coefficient_pct: Mapped[int]
    standard_level: Mapped[int]
    amount: Mapped[int] = mapped_column(db.BigInteger)
    category_codes: Mapped[str] = mapped_column(String(400), default="")
    status: Mapped[str] = mapped_column(String(12), default="issued")
    # The difference a back-dated increase adds to a month already issued (ND20 Art 8.1,
    # domain.md section 2): paid as arrears with the month's other items.
    tops_up: Mapped[bool] = mapped_column(default=False, server_default=false())


def items_of(line):
    """The items a payment line pays: a one-off line its dossier's; a monthly line its
    person's months of its kind (for care support, of its care record). ``line`` is a
    ``PaymentLine`` row, or the class itself for a statement correlated to the lines."""
    monthly = and_(
        PaymentItem.case_id.is_(None),
        PaymentItem.beneficiary_id == line.beneficiary_id,
        PaymentItem.care_support_id.is_not_distinct_from(line.care_support_id),
    )
    if isinstance(line, PaymentLine):
        which = PaymentItem.case_id == line.case_id if line.case_id is not None else monthly
    else:
        which = or_(and_(line.case_id.is_(None), monthly), PaymentItem.case_id == line.case_id)
    return and_(PaymentItem.batch_id == line.batch_id, PaymentItem.kind == line.kind, which)


# A job found stopped with its worker, as ``PaymentJob.error`` stores it (in no language:
# ``labels.job_error`` words it for the reader).
INTERRUPTED = "interrupted: the worker stopped before the end"

# Why an overpayment is to recover, as ``Overpayment.reason`` stores it (in no language:
# ``labels.overpayment_reason`` words it for the reader).
PAID_AFTER_UNPAID = "reported unpaid, then paid"
_PAID_THOUGH_STOPPED = ", paid though stopped"
DEATH_REASON = re.compile(
    r"death (?P<day>\d{4}-\d{2}-\d{2}) \((?P<number>.*)\)(?P<paid>, paid though stopped)?"
)


def death_reason(record, *, paid_though_stopped: bool = False) -> str:
    """The reason of an overpayment made by the death ``record`` (learned after payment,
    or after its line was stopped and paid all the same)."""
    reason = f"death {record.date_of_death.isoformat()} ({record.registration_number})"
    return reason + _PAID_THOUGH_STOPPED if paid_though_stopped else reason


class Overpayment(db.Model):
    """Thu hồi: months paid after a death learned too late, to recover (domain.md 5.4).
    What is recovered (repaid or offset) and waived never exceeds it (decision 172): what
    remains is ``amount - recovered_amount - waived_amount``."""

    __tablename__ = "overpayments"
    __table_args__ = (
        CheckConstraint(
            "recovered_amount >= 0 AND waived_amount >= 0 "
            "AND recovered_amount + waived_amount <= amount",
            name="settled_within_amount",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payment_batches.id"), index=True)
    # The paid line the months came from; checked and kept by triggers, not a foreign key
    # (migration 0021: regenerating a batch would look it up once per deleted line).
    line_id: Mapped[int] = mapped_column(index=True)
    months: Mapped[str] = mapped_column(String(2000))
    amount: Mapped[int] = mapped_column(db.BigInteger)
    reason: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(12), default="to_recover")
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recovered_amount: Mapped[int] = mapped_column(db.BigInteger, server_default="0", default=0)
    waived_amount: Mapped[int] = mapped_column(db.BigInteger, server_default="0", default=0)

    @property
    def remaining(self) -> int:
        return self.amount - (self.recovered_amount or 0) - (self.waived_amount or 0)


RECOVERY_KINDS = ("repayment", "waiver", "offset")


class OverpaymentRecovery(db.Model):
    """One step of recovering an overpayment (issue 25 item 8, decision 172): a repayment
    the person made (amount, date), an offset against a later batch, or a waiver of what
    remained, with its reason."""

    __tablename__ = "overpayment_recoveries"
    __table_args__ = (
        CheckConstraint("kind IN ('repayment', 'waiver', 'offset')", name="kind_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("kind <> 'waiver' OR reason IS NOT NULL", name="waiver_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    overpayment_id: Mapped[int] = mapped_column(ForeignKey("overpayments.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    amount: Mapped[int] = mapped_column(db.BigInteger)
    on_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(500))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReconciliationReport(db.Model):
    """What one result file did to a locked batch, kept so that its page can be shown
    after a redirect (decision 77): reloading it sends no file again. ``rows`` are the
    first rows of the file it reported, as codes (``{"row", "kind", ...}``), worded when
    shown (``payments.service.reported_row_message``)."""

    __tablename__ = "reconciliation_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payment_batches.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    paid: Mapped[int]
    unpaid: Mapped[int]
    unknown: Mapped[int]
    rows: Mapped[list] = mapped_column(JSON)
    rows_total: Mapped[int]
    conflicts: Mapped[int] = mapped_column(server_default=text("0"))


REPORTED = ("PAID", "UNPAID")


class PaymentLineConflict(db.Model):
    """A result file's row that contradicts what the post office reported before of a
    line (``PAID`` then ``UNPAID``, or the reverse): it changed nothing, and waits for the
    payment officer, who corrects the line with a reason or leaves it as it is
    (interchange.md section 3). ``batch_id`` and ``line_no`` name the line (unique)."""

    __tablename__ = "payment_line_conflicts"
    __table_args__ = (
        CheckConstraint("recorded IN ('PAID', 'UNPAID')", name="recorded_known"),
        CheckConstraint(
            "reported IN ('PAID', 'UNPAID') AND reported <> recorded", name="contradicts"
        ),  # fmt: skip
        Index("ix_payment_line_conflicts_batch_line", "batch_id", "line_no"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payment_batches.id"))
    line_no: Mapped[int]
    # The row of the later file (the header is row 1).
    file_row: Mapped[int]
    # What stays recorded, and what the later file said.
    recorded: Mapped[str] = mapped_column(String(6))
    reported: Mapped[str] = mapped_column(String(6))
    reported_paid_on: Mapped[date | None] = mapped_column(Date)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # When the officer corrected the line (or confirmed it) and who did.
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PaymentRun(db.Model):
    """One request to generate a month's batches: national (a job per province), a
    province, or a commune. Its progress is that of its jobs."""

    __tablename__ = "payment_runs"
    __table_args__ = (
        CheckConstraint("scope_kind IN ('national', 'province', 'commune')", name="scope_known"),
        CheckConstraint("(scope_kind = 'national') = (scope_code IS NULL)", name="scope_code_set"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[Month] = mapped_column(MonthType)
    scope_kind: Mapped[str] = mapped_column(String(10))
    scope_code: Mapped[str | None] = mapped_column(String(5))
    requested_by: Mapped[str] = mapped_column(String(120))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    jobs: Mapped[list[PaymentJob]] = relationship(
        back_populates="run", order_by="PaymentJob.scope_code"
    )


JOB_STATUSES = ("queued", "running", "done", "failed")


class PaymentJob(db.Model):
    """The jobs table of the payments queue, keyed by the RQ job id (design.md): one
    batch to generate, its status, its error, and what it produced."""

    __tablename__ = "payment_jobs"
    __table_args__ = (
        UniqueConstraint("run_id", "scope_kind", "scope_code"),
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status_known"),
        CheckConstraint("scope_kind IN ('province', 'commune')", name="scope_known"),
        CheckConstraint("status <> 'done' OR batch_id IS NOT NULL", name="done_has_batch"),
        # One live generation per batch at a time: a second one would only wait for it.
        Index(
            "uq_payment_jobs_live_scope",
            "month",
            "scope_kind",
            "scope_code",
            unique=True,
            sqlite_where=text("status IN ('queued', 'running')"),
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the RQ job id
    run_id: Mapped[int] = mapped_column(ForeignKey("payment_runs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    month: Mapped[Month] = mapped_column(MonthType)
    scope_kind: Mapped[str] = mapped_column(String(10))
    scope_code: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(2000))
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("payment_batches.id"))
    line_count: Mapped[int | None]
    total_amount: Mapped[int | None] = mapped_column(db.BigInteger)

    run: Mapped[PaymentRun] = relationship(back_populates="jobs")
