"""Generating a month's batch, set-based in the database (domain.md section 6).

Two statements per batch, whatever its size: the entitlement months due and never paid
are inserted as ``payment_items`` (``INSERT ... SELECT`` over the SQL entitlement, with
the month of the batch and every earlier month since the start as arrears), then grouped
into ``payment_lines``, one per payee and kind, numbered in the order of the list.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    and_,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import aliased

from benefits.accounts.audit import Actor, record_audit
from benefits.deaths.models import DeathRecord
from benefits.errors import DomainError, InvalidTransition
from benefits.extensions import db
from benefits.month import Month, month_index_sql
from benefits.payments.models import PaymentBatch, PaymentItem, PaymentLine
from benefits.people.models import Person
from benefits.places.models import Commune, Province
from benefits.registry.models import Beneficiary
from benefits.rules.entitlement_sql import greatest, joined_codes, monthly_entitlement_select

ALLOWANCE = "ALLOWANCE"
# Statuses that still receive payment lines: a death or a stop ends the entitlement at
# ``last_entitled_month`` (the months before are still due); a suspension (TT02 Art 2.3)
# leaves the person out until an officer resumes them.
PAYABLE_STATUSES = ("active", "stopped", "deceased")


class BatchLocked(InvalidTransition):
    """A locked batch never changes; corrections go into the next batch."""


def find_or_open_batch(month: Month, scope_kind: str, scope_code: str) -> PaymentBatch:
    if scope_kind == "province" and db.session.get(Province, scope_code) is None:
        raise DomainError(_l("Unknown province %(code)s.", code=scope_code))
    if scope_kind == "commune" and db.session.get(Commune, scope_code) is None:
        raise DomainError(_l("Unknown commune %(code)s.", code=scope_code))
    batch = db.session.scalar(
        select(PaymentBatch).where(
            PaymentBatch.month == month,
            PaymentBatch.scope_kind == scope_kind,
            PaymentBatch.scope_code == scope_code,
        )
    )
    if batch is None:
        batch = PaymentBatch(month=month, scope_kind=scope_kind, scope_code=scope_code)
        db.session.add(batch)
        db.session.flush()
    return batch


def generate_batch(month: Month, scope_kind: str, scope_code: str, actor: Actor) -> PaymentBatch:
    """Compute (or recompute in place) the open batch of ``month`` for a province or commune."""
    batch = find_or_open_batch(month, scope_kind, scope_code)
    if batch.status == "locked":
        raise BatchLocked(_l("Batch %(id)s is locked and cannot be generated again.", id=batch.id))
    # Regeneration recomputes in place: the open batch's lines and items are replaced.
    db.session.execute(delete(PaymentLine).where(PaymentLine.batch_id == batch.id))
    db.session.execute(delete(PaymentItem).where(PaymentItem.batch_id == batch.id))
    _insert_items(batch, month, scope_kind, scope_code)
    _insert_lines(batch, month)
    count, total = db.session.execute(
        select(
            func.count(), cast(func.coalesce(func.sum(PaymentLine.total_amount), 0), BigInteger)
        ).where(PaymentLine.batch_id == batch.id)
    ).one()
    batch.line_count, batch.total_amount = count, total
    batch.generated_at = datetime.now(UTC)
    record_audit(
        actor,
        "payments.generate",
        "payment_batch",
        batch.id,
        {"month": str(month), "scope": f"{scope_kind}:{scope_code}", "lines": count,
         "total_amount": total},
        commune_code=scope_code if scope_kind == "commune" else None,
    )  # fmt: skip
    db.session.flush()
    return batch


def _scope_filter(scope_kind: str, scope_code: str):
    if scope_kind == "commune":
        return Beneficiary.commune_code == scope_code
    return Beneficiary.commune_code.in_(
        select(Commune.code).where(Commune.province_code == scope_code)
    )


def _insert_items(batch: PaymentBatch, month: Month, scope_kind: str, scope_code: str) -> None:
    effective_idx = month_index_sql(Beneficiary.effective_month)
    after_paid_idx = func.coalesce(month_index_sql(Beneficiary.paid_through_month) + 1, 0)
    candidates = (
        select(
            Beneficiary.id.label("beneficiary_id"),
            greatest(effective_idx, after_paid_idx).label("start_idx"),
        )
        .where(Beneficiary.status.in_(PAYABLE_STATUSES), _scope_filter(scope_kind, scope_code))
        .cte("candidates")
    )
    # Every month index from the earliest start to the batch month (arrears, truy lĩnh).
    first = select(func.min(candidates.c.start_idx).label("idx")).scalar_subquery()
    months = select(first.label("idx")).cte("months", recursive=True)
    months = months.union_all(
        select((months.c.idx + 1).label("idx")).where(months.c.idx < month.index)
    )
    month_value = ((months.c.idx // 12) * 100 + months.c.idx % 12 + 1).label("month")
    already = aliased(PaymentItem)
    pairs = (
        select(candidates.c.beneficiary_id, month_value)
        .join(
            months,
            and_(months.c.idx >= candidates.c.start_idx, months.c.idx <= month.index),
        )
        .where(
            # domain.md section 6: no month is ever paid twice for the same entitlement.
            ~exists().where(
                already.beneficiary_id == candidates.c.beneficiary_id,
                already.kind == ALLOWANCE,
                already.month == month_value,
                already.status.in_(("issued", "paid")),
            )
        )
    )
    due = monthly_entitlement_select(pairs).subquery("due")
    db.session.execute(
        insert(PaymentItem).from_select(
            [
                "batch_id",
                "beneficiary_id",
                "kind",
                "month",
                "coefficient_pct",
                "standard_level",
                "amount",
                "category_codes",
                "status",
            ],
            select(
                literal(batch.id, Integer),
                due.c.beneficiary_id,
                literal(ALLOWANCE),
                due.c.month,
                due.c.coefficient_pct,
                due.c.standard_level,
                due.c.amount,
                due.c.category_codes,
                literal("issued"),
            ),
        )  # fmt: skip
    )


def _month_text(column):
    """``YYYY-MM`` of a YYYYMM integer, in SQL (same on both backends)."""
    return cast(column // 100, String) + "-" + func.substr(cast(100 + column % 100, String), 2)


def _insert_lines(batch: PaymentBatch, month: Month) -> None:
    ordered_items = (
        select(PaymentItem)
        .where(PaymentItem.batch_id == batch.id)
        .order_by(PaymentItem.beneficiary_id, PaymentItem.month)
        .subquery("items")
    )
    is_current = ordered_items.c.month == month.yyyymm
    per_payee = (
        select(
            ordered_items.c.beneficiary_id,
            ordered_items.c.kind,
            func.sum(case((is_current, ordered_items.c.amount), else_=0)).label("monthly"),
            func.sum(case((is_current, 0), else_=ordered_items.c.amount)).label("arrears"),
            joined_codes(case((~is_current, _month_text(ordered_items.c.month)))).label(
                "arrears_months"
            ),
            func.max(case((is_current, ordered_items.c.coefficient_pct), else_=0)).label("pct"),
            func.max(case((is_current, ordered_items.c.category_codes))).label("codes"),
        )
        .group_by(ordered_items.c.beneficiary_id, ordered_items.c.kind)
        .subquery("per_payee")
    )
    name_key = Person.name_sort_key
    if db.session.get_bind().dialect.name == "postgresql":
        name_key = name_key.collate("C")
    line_no = func.row_number().over(
        order_by=(
            Commune.province_code, Beneficiary.commune_code, Beneficiary.payment_point,
            name_key, Beneficiary.id,
        )
    )  # fmt: skip
    rows = (
        select(
            literal(batch.id, Integer), line_no, per_payee.c.beneficiary_id, per_payee.c.kind,
            Commune.province_code, Beneficiary.commune_code, Beneficiary.payment_method,
            Beneficiary.payment_point, Beneficiary.code, Person.national_id, Person.full_name,
            Person.date_of_birth, Person.address,
            # domain.md section 6: the arrears of a person who has died go to the declarant.
            case(
                (Beneficiary.status == "deceased", DeathRecord.declarant_name),
                else_=func.coalesce(Beneficiary.payee_name, Person.full_name),
            ),
            case(
                (Beneficiary.status == "deceased", DeathRecord.declarant_national_id),
                else_=func.coalesce(Beneficiary.payee_national_id, Person.national_id),
            ),
            func.coalesce(per_payee.c.codes, ""), per_payee.c.pct, per_payee.c.monthly,
            per_payee.c.arrears, func.coalesce(per_payee.c.arrears_months, ""), literal(0),
            per_payee.c.monthly + per_payee.c.arrears, literal("open"),
        )
        .select_from(per_payee)
        .join(Beneficiary, Beneficiary.id == per_payee.c.beneficiary_id)
        .join(Person, Person.id == Beneficiary.person_id)
        .join(Commune, Commune.code == Beneficiary.commune_code)
        .outerjoin(
            DeathRecord,
            and_(DeathRecord.person_id == Person.id, DeathRecord.status == "effective"),
        )
    )  # fmt: skip
    db.session.execute(
        insert(PaymentLine).from_select(
            [
                "batch_id",
                "line_no",
                "beneficiary_id",
                "kind",
                "province_code",
                "commune_code",
                "payment_method",
                "payment_point",
                "beneficiary_code",
                "national_id",
                "full_name",
                "date_of_birth",
                "address",
                "payee_name",
                "payee_national_id",
                "category_codes",
                "coefficient_pct",
                "monthly_amount",
                "arrears_amount",
                "arrears_months",
                "one_off_amount",
                "total_amount",
                "status",
            ],
            rows,
        )  # fmt: skip
    )
