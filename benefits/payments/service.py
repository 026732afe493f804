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
from sqlalchemy.orm import aliased

from benefits.accounts.audit import Actor, record_audit
from benefits.errors import DomainError, InvalidTransition, NotFound
from benefits.extensions import db
from benefits.payments.export import csv_sha256
from benefits.payments.generation import ALLOWANCE
from benefits.payments.late_deaths import add_overpayment, death_stopping
from benefits.payments.models import (
    PAID_AFTER_UNPAID,
    PaymentBatch,
    PaymentItem,
    PaymentLine,
    death_reason,
    items_of,
)
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
    suspended: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, int]:
        return {"paid": self.paid, "unpaid": self.unpaid, "unknown": self.unknown}


@dataclass
class _Reported:
    """What a result file says of the batch's lines, by line number."""

    paid: dict[int, date | None]
    unpaid: list[int]
    # Lines whose months were released before this report said they were paid: stopped
    # after a death learned late (do-not-pay), or reported unpaid by an earlier file.
    paid_after_release: dict[int, date | None]
    # Stopped lines reported unpaid: they stay stopped.
    stopped_unpaid: int = 0


def reconcile_batch(
    batch_id: int, path: Path, actor: Actor, report: Callable[[str], None]
) -> Reconciliation:
    """Read the post office's result file (``line_no, national_id, status, paid_on``).

    Paid lines are closed; unpaid lines release their months, which the next batch pays
    as arrears; rows matching no line are reported; lines not mentioned stay open. A line
    stopped after a death learned late stays stopped when reported unpaid; reported paid,
    it is paid, and the months after the death become an overpayment to recover
    (docs/decisions.md 49).
    """
    batch = get_batch(batch_id)
    if batch.status != "locked":
        raise InvalidTransition(_l("Only a locked batch can be reconciled."))
    lines = {
        line_no: (national_id, status)
        for line_no, national_id, status in db.session.execute(
            select(PaymentLine.line_no, PaymentLine.national_id, PaymentLine.status).where(
                PaymentLine.batch_id == batch.id
            )
        )
    }
    result = Reconciliation()
    reported = _read_result_file(path, batch, lines, result, report)
    paid_on_day: dict[date | None, list[int]] = {}
    for line_no, paid_on in reported.paid.items():
        paid_on_day.setdefault(paid_on, []).append(line_no)
    for paid_on, line_nos in paid_on_day.items():  # a result file holds a few payout days
        _mark_lines(batch, line_nos, status="paid", paid_on=paid_on)
    _mark_lines(batch, reported.unpaid, status="unpaid", paid_on=None)
    _settle_items(batch)
    for line_no, paid_on in reported.paid_after_release.items():
        _settle_paid_after_release(batch, line_no, paid_on, actor)
    result.paid = len(reported.paid) + len(reported.paid_after_release)
    result.unpaid = len(reported.unpaid) + reported.stopped_unpaid
    result.suspended = _suspend_unpaid_three_times(batch, actor)
    record_audit(
        actor, "payments.reconcile", "payment_batch", batch.id,
        {**result.as_dict(), "suspended": list(result.suspended)},
    )  # fmt: skip
    db.session.flush()
    return result


# Line numbers per statement: a province's file may report 400,000 lines, and a statement
# takes at most 65,535 parameters on PostgreSQL.
MARK_CHUNK = 10_000


def _mark_lines(batch: PaymentBatch, line_nos: list[int], **values) -> None:
    """Set ``values`` on the batch's lines numbered ``line_nos``, a chunk per statement."""
    for start in range(0, len(line_nos), MARK_CHUNK):
        db.session.execute(
            update(PaymentLine)
            .where(
                PaymentLine.batch_id == batch.id,
                PaymentLine.line_no.in_(line_nos[start : start + MARK_CHUNK]),
            )
            .values(**values)
        )


def _line_number(raw: str) -> int | None:
    """A result row's ``line_no``: plain ASCII digits (``+5``, ``5.0``, ``٥`` match no line)."""
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() else None


# interchange.md section 3: the post office's result file. ``paid_on`` may be left out of
# a file that reports no payment; without the other three, no row can be read.
RESULT_COLUMNS = ("line_no", "national_id", "status")


def _check_result_header(fieldnames: list[str] | None) -> None:
    """Refuse, before anything is written, a file that is not a result file at all: an
    empty file, or one whose header lacks the columns (a payment list or another report
    sent by mistake), instead of counting each of its rows as matching no line."""
    if not fieldnames:
        raise InvalidFile(_l("The result file is empty (nothing recorded)."))
    missing = [name for name in RESULT_COLUMNS if name not in fieldnames]
    if missing:
        raise InvalidFile(
            _l("This is not a post office result file: its first row must name the columns "
               "line_no, national_id, status, paid_on; %(missing)s is missing (nothing "
               "recorded).", missing=", ".join(missing))
        )  # fmt: skip


def _read_result_file(
    path: Path,
    batch: PaymentBatch,
    lines: dict[int, tuple[str, str]],
    result: Reconciliation,
    report: Callable[[str], None],
) -> _Reported:
    """What the file reports of the batch's lines; the rows that match no line, or a line
    already reported above, are counted and reported. A file that is not UTF-8 CSV is
    refused whole, before anything is written (interchange.md conventions)."""
    reported = _Reported(paid={}, unpaid=[], paid_after_release={})
    seen: set[int] = set()

    def unknown(number: int, reason: str) -> None:
        result.unknown += 1
        report(f"line {number}: {reason}")

    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = csv.DictReader(fh)
            _check_result_header(rows.fieldnames)
            for number, row in enumerate(rows, start=2):
                line_no = _line_number(row.get("line_no") or "")
                national_id, line_status = lines.get(line_no, (None, None))
                status = (row.get("status") or "").strip().upper()
                if national_id is None or national_id != (
                    row.get("national_id") or ""
                ).strip() or status not in ("PAID", "UNPAID"):  # fmt: skip
                    unknown(number, _("matches no line of batch %(id)s", id=batch.id))
                    continue
                if line_no in seen:
                    unknown(number, _("line_no %(line_no)s is reported again: the first "
                                      "report is kept", line_no=line_no))  # fmt: skip
                    continue
                if status == "PAID":
                    raw = (row.get("paid_on") or "").strip()
                    try:
                        paid_on = date.fromisoformat(raw) if raw else None
                    except ValueError:
                        unknown(number, "paid_on: "
                                + _("not a date (YYYY-MM-DD): %(value)s", value=raw))  # fmt: skip
                        continue
                    if line_status in ("do_not_pay", "unpaid"):
                        reported.paid_after_release[line_no] = paid_on
                    if line_status == "do_not_pay":
                        report(f"line {number}: " + _(
                            "line_no %(line_no)s was stopped after a death learned late, "
                            "and paid: the months after the death are to recover",
                            line_no=line_no))  # fmt: skip
                    elif line_status != "unpaid":
                        reported.paid[line_no] = paid_on
                elif line_status == "do_not_pay":
                    reported.stopped_unpaid += 1
                else:
                    reported.unpaid.append(line_no)
                seen.add(line_no)
    except UnicodeDecodeError:
        raise InvalidFile(
            _l("The result file is not UTF-8 text: save it as UTF-8 CSV (nothing recorded).")
        ) from None
    except csv.Error as error:
        raise InvalidFile(
            _l("The result file cannot be read as CSV: %(error)s (nothing recorded).",
               error=str(error))
        ) from None  # fmt: skip
    return reported


def _settle_items(batch: PaymentBatch) -> None:
    """Items follow their line: paid, or released to be paid again as arrears. Only
    items still issued become paid (a month released before is settled by
    ``_settle_paid_after_release``); a line reported unpaid after a first report said
    paid (a correction) releases its paid months too."""
    for line_status, item_status, before in (
        ("paid", "paid", ("issued",)),
        ("unpaid", "released", ("issued", "paid")),
    ):
        settled = (
            select(PaymentLine.id)
            .where(PaymentLine.batch_id == batch.id, PaymentLine.status == line_status,
                   items_of(PaymentLine))
            .exists()
        )  # fmt: skip
        db.session.execute(
            update(PaymentItem)
            .where(PaymentItem.batch_id == batch.id, PaymentItem.status.in_(before), settled)
            .values(status=item_status)
        )


def _settle_paid_after_release(batch: PaymentBatch, line_no: int, paid_on, actor: Actor):
    """A line reported paid after its months were released: stopped after a death
    learned late, or reported unpaid by an earlier file (docs/decisions.md 49). The line
    is paid; its released months are paid with it, unless another batch has issued them
    again: those, and a stopped line's months after the death, are an overpayment to
    recover. No month enters the "no month paid twice" index a second time."""
    line = db.session.scalar(
        select(PaymentLine).where(PaymentLine.batch_id == batch.id, PaymentLine.line_no == line_no)
    )
    items = items_of(line)
    again = aliased(PaymentItem)
    issued_again = (
        select(again.id)
        .where(
            again.beneficiary_id == PaymentItem.beneficiary_id,
            again.kind == PaymentItem.kind,
            again.month == PaymentItem.month,
            again.case_id.is_(None),
            again.status.in_(("issued", "paid")),
        )
        .exists()
    )
    db.session.execute(
        update(PaymentItem)
        .where(items, PaymentItem.status == "released", ~issued_again)
        .values(status="paid")
    )
    before = line.status
    line.status, line.paid_on = "paid", paid_on
    record_audit(
        actor, "payments.paid_after_release", "payment_line", line.id,
        {"status": [before, "paid"]}, commune_code=line.commune_code,
    )  # fmt: skip
    months_paid = db.session.execute(
        select(PaymentItem.month, PaymentItem.amount)
        .where(items, PaymentItem.status != "paid")
        .order_by(PaymentItem.month)
    ).all()
    if not months_paid:
        return
    if before == "do_not_pay":
        death = death_stopping(line)
        reason = death_reason(death, paid_though_stopped=True)
        add_overpayment(line, months_paid, reason, actor, death.registration_number)
    else:
        add_overpayment(line, months_paid, PAID_AFTER_UNPAID, actor, None)


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
