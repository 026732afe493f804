"""Lock and reconcile payment batches (domain.md section 6; TT02 Art 2.3)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from benefits.accounts.audit import Actor, record_audit
from benefits.errors import DomainError, InvalidTransition, NotFound
from benefits.extensions import db
from benefits.payments.export import csv_sha256
from benefits.payments.generation import ALLOWANCE
from benefits.payments.models import PaymentBatch, PaymentItem, PaymentLine, items_of
from benefits.registry.models import Beneficiary

# TT02 Art 2.3.a: not collected for 3 months in a row.
UNPAID_BATCHES_BEFORE_SUSPENSION = 3


def get_batch(batch_id: int) -> PaymentBatch:
    batch = db.session.get(PaymentBatch, batch_id)
    if batch is None:
        raise NotFound(_l("No payment batch %(id)s.", id=batch_id))
    return batch


class InvalidFile(DomainError):
    """A result file that cannot be read at all: refused whole, nothing recorded."""


def lock_batch(batch_id: int, actor: Actor) -> PaymentBatch:
    """Freeze a batch: its lines, totals and the SHA-256 of its canonical CSV."""
    batch = get_batch(batch_id)
    if batch.status == "locked":
        raise InvalidTransition(_l("Batch %(id)s is already locked.", id=batch.id))
    if batch.generated_at is None:
        raise InvalidTransition(_l("Batch %(id)s has not been generated.", id=batch.id))
    batch.csv_sha256 = csv_sha256(batch)
    batch.status = "locked"
    batch.locked_at = datetime.now(UTC)
    record_audit(
        actor, "payments.lock", "payment_batch", batch.id,
        {"status": ["open", "locked"], "csv_sha256": batch.csv_sha256,
         "total_amount": batch.total_amount, "lines": batch.line_count},
    )  # fmt: skip
    db.session.flush()
    return batch


@dataclass
class Reconciliation:
    paid: int = 0
    unpaid: int = 0
    unknown: int = 0
    paid_amount: int = 0
    unpaid_amount: int = 0
    open_amount: int = 0
    suspended: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, int]:
        return {"paid": self.paid, "unpaid": self.unpaid, "unknown": self.unknown}


def reconcile_batch(
    batch_id: int, path: Path, actor: Actor, report: Callable[[str], None]
) -> Reconciliation:
    """Read the post office's result file (``line_no, national_id, status, paid_on``).

    Paid lines are closed; unpaid lines release their months, which the next batch pays
    as arrears; rows matching no line are reported; lines not mentioned stay open.
    """
    batch = get_batch(batch_id)
    if batch.status != "locked":
        raise InvalidTransition(_l("Only a locked batch can be reconciled."))
    lines = dict(
        db.session.execute(
            select(PaymentLine.line_no, PaymentLine.national_id).where(
                PaymentLine.batch_id == batch.id
            )
        ).all()
    )
    result = Reconciliation()
    paid, unpaid = _read_result_file(path, batch, lines, result, report)
    for line_no, paid_on in paid.items():
        db.session.execute(
            update(PaymentLine)
            .where(PaymentLine.batch_id == batch.id, PaymentLine.line_no == line_no)
            .values(status="paid", paid_on=paid_on)
        )
    if unpaid:
        db.session.execute(
            update(PaymentLine)
            .where(PaymentLine.batch_id == batch.id, PaymentLine.line_no.in_(unpaid))
            .values(status="unpaid", paid_on=None)
        )
    _settle_items(batch)
    result.paid, result.unpaid = len(paid), len(unpaid)
    result.suspended = _suspend_unpaid_three_times(batch, actor)
    totals = dict(
        db.session.execute(
            select(PaymentLine.status, func.sum(PaymentLine.total_amount))
            .where(PaymentLine.batch_id == batch.id)
            .group_by(PaymentLine.status)
        ).all()
    )
    result.paid_amount = int(totals.get("paid") or 0)
    result.unpaid_amount = int(totals.get("unpaid") or 0)
    result.open_amount = int(totals.get("open") or 0)
    record_audit(
        actor, "payments.reconcile", "payment_batch", batch.id,
        {**result.as_dict(), "suspended": list(result.suspended)},
    )  # fmt: skip
    db.session.flush()
    return result


def _read_result_file(
    path: Path,
    batch: PaymentBatch,
    lines: dict[int, str],
    result: Reconciliation,
    report: Callable[[str], None],
) -> tuple[dict[int, date | None], list[int]]:
    """The paid lines (with their day) and the unpaid ones the file reports; the rows that
    match no line are counted and reported. A file that is not UTF-8 CSV is refused whole,
    before anything is written (interchange.md conventions)."""
    paid: dict[int, date | None] = {}
    unpaid: list[int] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for number, row in enumerate(csv.DictReader(fh), start=2):
                try:
                    line_no = int((row.get("line_no") or "").strip())
                except ValueError:
                    line_no = None
                national_id = (row.get("national_id") or "").strip()
                status = (row.get("status") or "").strip().upper()
                if line_no is None or lines.get(line_no) != national_id or status not in (
                    "PAID", "UNPAID"
                ):  # fmt: skip
                    result.unknown += 1
                    report(f"line {number}: " + _("matches no line of batch %(id)s", id=batch.id))
                    continue
                if status == "PAID":
                    raw = (row.get("paid_on") or "").strip()
                    try:
                        paid[line_no] = date.fromisoformat(raw) if raw else None
                    except ValueError:
                        result.unknown += 1
                        report(
                            f"line {number}: paid_on: "
                            + _("not a date (YYYY-MM-DD): %(value)s", value=raw)
                        )
                        continue
                else:
                    unpaid.append(line_no)
    except UnicodeDecodeError:
        raise InvalidFile(
            _l("The result file is not UTF-8 text: save it as UTF-8 CSV (nothing recorded).")
        ) from None
    except csv.Error as error:
        raise InvalidFile(
            _l("The result file cannot be read as CSV: %(error)s (nothing recorded).",
               error=str(error))
        ) from None  # fmt: skip
    return paid, unpaid


def _settle_items(batch: PaymentBatch) -> None:
    """Items follow their line: paid, or released to be paid again as arrears."""
    for line_status, item_status in (("paid", "paid"), ("unpaid", "released")):
        settled = (
            select(PaymentLine.id)
            .where(PaymentLine.batch_id == batch.id, PaymentLine.status == line_status,
                   items_of(PaymentLine))
            .exists()
        )  # fmt: skip
        db.session.execute(
            update(PaymentItem)
            .where(PaymentItem.batch_id == batch.id, settled)
            .values(status=item_status)
        )


def _suspend_unpaid_three_times(batch: PaymentBatch, actor: Actor) -> tuple[str, ...]:
    """TT02 Art 2.3.a: a line reported unpaid in 3 consecutive monthly batches suspends."""
    months = [(batch.month - n).yyyymm for n in range(UNPAID_BATCHES_BEFORE_SUSPENSION)]
    unpaid_each_month = (
        select(PaymentLine.beneficiary_id)
        .join(PaymentBatch, PaymentBatch.id == PaymentLine.batch_id)
        .where(
            PaymentLine.kind == ALLOWANCE,
            PaymentLine.status == "unpaid",
            PaymentBatch.month.in_(months),
        )
        .group_by(PaymentLine.beneficiary_id)
        .having(func.count(func.distinct(PaymentBatch.month)) == len(months))
    )
    suspended = db.session.scalars(
        select(Beneficiary).where(
            Beneficiary.id.in_(unpaid_each_month), Beneficiary.status == "active"
        )
    ).all()
    for beneficiary in suspended:
        beneficiary.status = "suspended"
        record_audit(
            actor, "registry.suspend", "beneficiary", beneficiary.code,
            {"status": ["active", "suspended"], "reason": "unpaid 3 batches (TT02 Art 2.3.a)"},
            commune_code=beneficiary.commune_code,
        )  # fmt: skip
    return tuple(b.code for b in suspended)
