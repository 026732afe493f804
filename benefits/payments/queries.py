"""Checks before lock, and the difference against the previous month (issue 7 item 3).

Each check is a named query returning the lines concerned, so the batch page can show
them; all are set-based and run on one batch.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from benefits.extensions import db
from benefits.payments.generation import commune_in_scope
from benefits.payments.models import (
    Overpayment,
    PaymentBatch,
    PaymentJob,
    PaymentLine,
    PaymentLineConflict,
)
from benefits.people.models import Person
from benefits.registry.models import Beneficiary
from benefits.rules.standard import standard_level_for

# The thresholds of the checks: an amount above 10 × the standard level; a change of more
# than 50 % against last month.
HIGH_AMOUNT_MULTIPLE = 10
CHANGE_RATIO = 0.5


def _lines(batch: PaymentBatch):
    return select(PaymentLine).where(PaymentLine.batch_id == batch.id)


def lines_of_people_dead_before_the_month(batch: PaymentBatch) -> list[PaymentLine]:
    return list(db.session.scalars(
        _lines(batch).join(Beneficiary, Beneficiary.id == PaymentLine.beneficiary_id)
        .join(Person, Person.id == Beneficiary.person_id)
        .where(Person.died_on < batch.month.first_day, PaymentLine.monthly_amount > 0)
    ))  # fmt: skip


def lines_sharing_a_bank_account(batch: PaymentBatch) -> list[PaymentLine]:
    shared = (
        select(Beneficiary.bank_code, Beneficiary.bank_account)
        .join(PaymentLine, PaymentLine.beneficiary_id == Beneficiary.id)
        .where(PaymentLine.batch_id == batch.id, Beneficiary.bank_account.is_not(None))
        .group_by(Beneficiary.bank_code, Beneficiary.bank_account)
        .having(func.count(func.distinct(Beneficiary.person_id)) > 1)
        .subquery()
    )
    return list(db.session.scalars(
        _lines(batch).join(Beneficiary, Beneficiary.id == PaymentLine.beneficiary_id)
        .join(shared, and_(shared.c.bank_code == Beneficiary.bank_code,
                           shared.c.bank_account == Beneficiary.bank_account))
    ))  # fmt: skip


def lines_above_ten_times_the_standard(batch: PaymentBatch) -> list[PaymentLine]:
    # One-off support is legally 20 × or 50 × the standard, or a fixed amount: not checked.
    limit = HIGH_AMOUNT_MULTIPLE * standard_level_for(None, batch.month)
    return list(db.session.scalars(
        _lines(batch).where(PaymentLine.case_id.is_(None), PaymentLine.total_amount > limit)
    ))  # fmt: skip


def same_payment(one, other):
    """Two lines (of two months) pay the same thing: the allowance of one person, the care
    support of one care record (a new carer is another payment), or one dossier. NULLs
    are compared as 0 (ids start at 1) so that the condition can be hashed or merged."""
    return and_(
        func.coalesce(one.beneficiary_id, 0) == func.coalesce(other.beneficiary_id, 0),
        one.kind == other.kind,
        func.coalesce(one.care_support_id, 0) == func.coalesce(other.care_support_id, 0),
        func.coalesce(one.case_id, 0) == func.coalesce(other.case_id, 0),
    )


def lines_changed_by_half(batch: PaymentBatch) -> list[PaymentLine]:
    previous = aliased(PaymentLine)
    last_month = select(PaymentBatch.id).where(PaymentBatch.month == batch.month - 1)
    return list(db.session.scalars(
        _lines(batch).join(previous, and_(
            same_payment(previous, PaymentLine), previous.batch_id.in_(last_month)))
        .where(previous.monthly_amount > 0, func.abs(
            PaymentLine.monthly_amount - previous.monthly_amount)
            > previous.monthly_amount * CHANGE_RATIO)
    ))  # fmt: skip


def lines_without_payment_point(batch: PaymentBatch) -> list[PaymentLine]:
    return list(db.session.scalars(_lines(batch).where(
        PaymentLine.payment_method == "POST",
        (PaymentLine.payment_point.is_(None)) | (PaymentLine.payment_point == ""))))  # fmt: skip


CHECKS = {
    "dead_before_month": lines_of_people_dead_before_the_month,
    "shared_bank_account": lines_sharing_a_bank_account,
    "above_ten_times_standard": lines_above_ten_times_the_standard,
    "changed_by_half": lines_changed_by_half,
    "no_payment_point": lines_without_payment_point,
}


def run_checks(batch: PaymentBatch) -> dict[str, list[PaymentLine]]:
    return {name: check(batch) for name, check in CHECKS.items()}


@dataclass
class CommuneDiff:
    commune_code: str
    new: int = 0
    stopped: int = 0
    changed: int = 0
    total: int = 0
    previous_total: int = 0


def difference_with_last_month(batch: PaymentBatch) -> list[CommuneDiff]:
    """New, stopped and changed lines against last month's batches, per commune."""
    in_scope = commune_in_scope(PaymentLine.commune_code, batch.scope_kind, batch.scope_code)
    then = (
        select(PaymentLine)
        .join(PaymentBatch, PaymentBatch.id == PaymentLine.batch_id)
        .where(PaymentBatch.month == batch.month - 1, in_scope)
        .subquery("then_lines")
    )
    now = _lines(batch).subquery("now_lines")
    pairs = now.outerjoin(then, same_payment(then.c, now.c), full=True)
    commune = func.coalesce(now.c.commune_code, then.c.commune_code)
    is_new = and_(now.c.id.is_not(None), then.c.id.is_(None))
    is_stopped = and_(now.c.id.is_(None), then.c.id.is_not(None))
    is_changed = and_(now.c.id.is_not(None), then.c.id.is_not(None),
                      now.c.monthly_amount != then.c.monthly_amount)  # fmt: skip
    rows = db.session.execute(
        select(
            commune.label("commune"),
            func.sum(case((is_new, 1), else_=0)),
            func.sum(case((is_stopped, 1), else_=0)),
            func.sum(case((is_changed, 1), else_=0)),
            func.coalesce(func.sum(now.c.total_amount), 0),
            func.coalesce(func.sum(then.c.total_amount), 0),
        )
        .select_from(pairs)
        .group_by(commune)
        .order_by(commune)
    ).all()
    return [CommuneDiff(c, int(n), int(s), int(ch), int(t), int(p)) for c, n, s, ch, t, p in rows]


@dataclass
class ReconciliationSummary:
    """What the post office reported against the batch (issue 7 item 6): lines and amounts
    per status, and any difference between their sum and the batch total."""

    by_status: dict[str, tuple[int, int]]
    batch_total: int

    @property
    def reported_total(self) -> int:
        return sum(amount for _count, amount in self.by_status.values())

    @property
    def difference(self) -> int:
        return self.batch_total - self.reported_total


def reconciliation_summary(batch: PaymentBatch) -> ReconciliationSummary:
    rows = db.session.execute(
        select(PaymentLine.status, func.count(),
               func.coalesce(func.sum(PaymentLine.total_amount), 0))
        .where(PaymentLine.batch_id == batch.id)
        .group_by(PaymentLine.status)
    ).all()  # fmt: skip
    by_status = {status: (int(count), int(amount)) for status, count, amount in rows}
    return ReconciliationSummary(by_status, int(batch.total_amount or 0))


def lines_of_people_now_suspended(batch: PaymentBatch) -> list[PaymentLine]:
    """TT02 Art 2.3.a: the people of this batch suspended (unpaid 3 batches in a row), for
    the officer to resume or terminate."""
    return list(db.session.scalars(
        _lines(batch).join(Beneficiary, Beneficiary.id == PaymentLine.beneficiary_id)
        .where(Beneficiary.status == "suspended", PaymentLine.kind == "ALLOWANCE")
        .order_by(PaymentLine.line_no)
    ))  # fmt: skip


def overpayments_to_recover(batch: PaymentBatch) -> list[tuple[Overpayment, str, str]]:
    """Domain section 5.4: overpayments (thu hồi) still to recover from the people of the
    batch's province or commune, with their code and commune, for the batch report."""
    in_scope = commune_in_scope(Beneficiary.commune_code, batch.scope_kind, batch.scope_code)
    return list(db.session.execute(
        select(Overpayment, Beneficiary.code, Beneficiary.commune_code)
        .join(Beneficiary, Beneficiary.id == Overpayment.beneficiary_id)
        .where(Overpayment.status == "to_recover", in_scope)
        .order_by(Beneficiary.commune_code, Overpayment.id)
    ).all())  # fmt: skip


# Lines shown per page of a batch; the next page starts after the last line number shown.
LINES_PAGE = 100


def fetch_batch_lines(batch: PaymentBatch, after_line_no: int = 0) -> list[PaymentLine]:
    """A page of the batch's lines in list order (interchange.md section 3), keyset-paginated
    on ``line_no``: a province's list holds tens of thousands."""
    return list(db.session.scalars(
        _lines(batch).where(PaymentLine.line_no > after_line_no)
        .order_by(PaymentLine.line_no).limit(LINES_PAGE)
    ))  # fmt: skip


def live_generation_job(month, scope_kind: str, scope_code: str) -> str | None:
    """The id of a generation of this batch queued or running, if any."""
    return db.session.scalar(
        select(PaymentJob.id).where(
            PaymentJob.month == month, PaymentJob.scope_kind == scope_kind,
            PaymentJob.scope_code == scope_code,
            PaymentJob.status.in_(("queued", "running")),
        ).limit(1)
    )  # fmt: skip


def conflicts_waiting(batch: PaymentBatch) -> list[tuple[PaymentLineConflict, PaymentLine]]:
    """The result rows that contradicted an earlier report of a line of the batch and
    wait for the payment officer (interchange.md section 3), with their line."""
    return list(
        db.session.execute(
            select(PaymentLineConflict, PaymentLine)
            .join(
                PaymentLine,
                and_(
                    PaymentLine.batch_id == PaymentLineConflict.batch_id,
                    PaymentLine.line_no == PaymentLineConflict.line_no,
                ),
            )
            .where(
                PaymentLineConflict.batch_id == batch.id,
                PaymentLineConflict.resolved_at.is_(None),
            )
            .order_by(PaymentLineConflict.line_no, PaymentLineConflict.id)
        )
    )
