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
from benefits.cases.models import Case
from benefits.deaths.models import DeathRecord
from benefits.errors import DomainError, InvalidTransition
from benefits.extensions import db
from benefits.month import Month, month_index_sql
from benefits.payments.models import PaymentBatch, PaymentItem, PaymentLine
from benefits.people.models import Person
from benefits.places.models import Commune, Province
from benefits.planner import NESTED_LOOPS_ONLY, planner_settings
from benefits.procedures.catalogue import payout_procedures
from benefits.registry.models import Beneficiary, CareSupport
from benefits.rules.care_support_sql import care_support_select
from benefits.rules.entitlement_sql import (
    REGISTRY_COLUMNS,
    greatest,
    joined_codes,
    least,
    month_index_of_date,
    monthly_entitlement_select,
    registry_rows,
)

ALLOWANCE = "ALLOWANCE"
CARE_SUPPORT = "CARE_SUPPORT"
# Kinds paid once per approved dossier (interchange.md section 3).
ONE_OFF_KINDS = ("FUNERAL", "ONE_OFF")
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
    with planner_settings(db.session.connection(), PLANNED_AS_WRITTEN):
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


# On PostgreSQL, the generation statements are planned as written, from the scope's
# beneficiaries outwards (each probing the indexes of the registry and of the items),
# without JIT compilation. A province is 3 % of the national registry: left free, the
# planner misjudged the rows per person and month and hashed the whole registry,
# categories or items instead (up to 2 s a province, growing with the items of a national
# run, and a statement still running after 1.5 minutes on stale statistics); JIT spent up
# to 1 s compiling each statement (benchmarks/README.md, docs/decisions.md 42).
# enable_seqscan: every large table through an index (the statistics of the items may say
# "empty" while another worker fills them: a scan per month due then read everything the
# other worker had written, 5 minutes for one province).
# work_mem: the sort of a province's lines in list order stays in memory.
PLANNED_AS_WRITTEN = {
    "jit": "off", "join_collapse_limit": "1", "from_collapse_limit": "1",
    "enable_seqscan": "off", "work_mem": "64MB",
}  # fmt: skip


def commune_in_scope(commune_column, scope_kind: str, scope_code: str):
    """``commune_column`` is a commune of the batch's scope: the commune itself, or one of
    the province's communes."""
    if scope_kind == "commune":
        return commune_column == scope_code
    return commune_column.in_(select(Commune.code).where(Commune.province_code == scope_code))


def _in_scope_by_commune(query, commune_column, scope_kind: str, scope_code: str):
    """``query`` restricted to the scope. On PostgreSQL a province is read commune by
    commune through the commune index: its beneficiaries are spread over the whole
    registry, and one scan per province would read all of it, 34 times in a national run."""
    if scope_kind == "commune" or db.session.get_bind().dialect.name != "postgresql":
        return query.where(commune_in_scope(commune_column, scope_kind, scope_code))
    communes = select(Commune.code).where(Commune.province_code == scope_code).subquery("scope")
    # OFFSET 0 keeps the planner from flattening the per-commune read into one scan.
    per_commune = query.where(commune_column == communes.c.code).offset(0).lateral("in_commune")
    return select(*per_commune.c).select_from(communes).join(per_commune, literal(True))


def _insert_items(batch: PaymentBatch, month: Month, scope_kind: str, scope_code: str) -> None:
    """Every entitlement month due and never paid, then the approved one-off support."""
    _insert_allowance_items(batch, month, scope_kind, scope_code)
    _insert_care_support_items(batch, month, scope_kind, scope_code)
    _insert_one_off_items(batch, month, scope_kind, scope_code)


ITEM_COLUMNS = [
    "batch_id", "beneficiary_id", "kind", "month", "coefficient_pct", "standard_level",
    "amount", "category_codes", "status", "care_support_id", "case_id",
]  # fmt: skip


def _months_due(candidates, month: Month):
    """``(candidate columns..., month)`` for every month index from a candidate's
    ``start_idx`` to its ``end_idx`` (arrears, truy lĩnh, then the batch month)."""
    first = select(func.min(candidates.c.start_idx).label("idx")).scalar_subquery()
    months = select(first.label("idx")).cte("months", recursive=True)
    months = months.union_all(
        select((months.c.idx + 1).label("idx")).where(months.c.idx < month.index)
    )
    month_value = ((months.c.idx // 12) * 100 + months.c.idx % 12 + 1).label("month")
    joined = and_(months.c.idx >= candidates.c.start_idx, months.c.idx <= candidates.c.end_idx)
    return months, month_value, joined


def _not_paid_yet(beneficiary_id, kind: str, month_value):
    """domain.md section 6: no month is ever paid twice for the same entitlement."""
    already = aliased(PaymentItem)
    paid = select(literal(1)).where(
        already.beneficiary_id == beneficiary_id,
        already.kind == kind,
        already.month == month_value,
        already.case_id.is_(None),
        already.status.in_(("issued", "paid")),
    )
    # OFFSET 0: one probe of the unique index per month due. Left to the planner, the
    # anti-join hashed every item of every province already generated (quadratic over a
    # national run), or on stale statistics looped over them all for each month due.
    return ~paid.offset(0).exists()


def _insert_allowance_items(
    batch: PaymentBatch, month: Month, scope_kind: str, scope_code: str
) -> None:
    effective_idx = month_index_sql(Beneficiary.effective_month)
    after_paid_idx = func.coalesce(month_index_sql(Beneficiary.paid_through_month) + 1, 0)
    # The registry columns the entitlement needs travel with each candidate: read once
    # here, not joined again for every month due.
    registry = registry_rows().add_columns(
        greatest(effective_idx, after_paid_idx).label("start_idx"),
        literal(month.index, Integer).label("end_idx"),
    )
    candidates = _in_scope_by_commune(
        registry.where(Beneficiary.status.in_(PAYABLE_STATUSES)),
        Beneficiary.commune_code,
        scope_kind,
        scope_code,
    ).cte("candidates")
    months, month_value, joined = _months_due(candidates, month)
    pairs = (
        select(
            candidates.c.beneficiary_id,
            month_value,
            *(candidates.c[name] for name in REGISTRY_COLUMNS),
        )
        .join(months, joined)
        .where(_not_paid_yet(candidates.c.beneficiary_id, ALLOWANCE, month_value))
    )
    due = monthly_entitlement_select(pairs).subquery("due")
    _insert_monthly_items(batch, ALLOWANCE, due, due.c.category_codes, literal(None, Integer))


def _insert_monthly_items(batch: PaymentBatch, kind: str, due, codes, care_support_id) -> None:
    db.session.execute(
        insert(PaymentItem).from_select(
            ITEM_COLUMNS,
            select(
                literal(batch.id, Integer), due.c.beneficiary_id, literal(kind), due.c.month,
                due.c.coefficient_pct, due.c.standard_level, due.c.amount, codes,
                literal("issued"), care_support_id, literal(None, Integer),
            ),
        )
    )  # fmt: skip


def _insert_care_support_items(
    batch: PaymentBatch, month: Month, scope_kind: str, scope_code: str
) -> None:
    """ND20 Art 20: monthly care support to the carer, with its arrears, until the record
    ends, the cared person's entitlement ends (death: Decree 63/2024, domain.md 5.2) or the
    batch month."""
    end_idx = func.coalesce(month_index_sql(CareSupport.to_month), month.index)
    last_idx = func.coalesce(month_index_sql(Beneficiary.last_entitled_month), month.index)
    # Domain section 5.2: care support to a carer who dies stops from the month after.
    carer = aliased(Person)
    carer_idx = func.coalesce(month_index_of_date(carer.died_on), month.index)
    ends = least(literal(month.index, Integer), end_idx, last_idx, carer_idx)
    candidates = (
        select(
            CareSupport.id.label("care_support_id"),
            CareSupport.beneficiary_id,
            month_index_sql(CareSupport.from_month).label("start_idx"),
            ends.label("end_idx"),
        )
        .join(Beneficiary, Beneficiary.id == CareSupport.beneficiary_id)
        .outerjoin(carer, carer.id == CareSupport.carer_person_id)
        .where(
            Beneficiary.status.in_(PAYABLE_STATUSES),
            commune_in_scope(Beneficiary.commune_code, scope_kind, scope_code),
            CareSupport.from_month <= month.yyyymm,
        )
        .cte("care_candidates")
    )
    months, month_value, joined = _months_due(candidates, month)
    pairs = (
        select(candidates.c.care_support_id, month_value)
        .join(months, joined)
        .where(_not_paid_yet(candidates.c.beneficiary_id, CARE_SUPPORT, month_value))
    )
    due = care_support_select(pairs).subquery("care_due")
    _insert_monthly_items(batch, CARE_SUPPORT, due, due.c.rule_code, due.c.care_support_id)


def _insert_one_off_items(
    batch: PaymentBatch, month: Month, scope_kind: str, scope_code: str
) -> None:
    """domain.md section 4: one-off support approved and not yet paid goes into the next
    batch as its own line; the partial unique index on ``case_id`` pays a dossier once."""
    in_scope = commune_in_scope(Case.commune_code, scope_kind, scope_code)
    already = aliased(PaymentItem)
    for kind in ONE_OFF_KINDS:
        codes = payout_procedures(kind)
        if not codes:
            continue
        subject = aliased(Beneficiary)
        db.session.execute(
            insert(PaymentItem).from_select(
                ITEM_COLUMNS,
                select(
                    literal(batch.id, Integer),
                    subject.id,
                    literal(kind),
                    literal(month.yyyymm, Integer),
                    literal(0),
                    literal(0),
                    Case.amount,
                    literal(""),
                    literal("issued"),
                    literal(None, Integer),
                    Case.id,
                )
                .select_from(Case)
                .outerjoin(subject, subject.person_id == Case.subject_person_id)
                .where(
                    Case.procedure_code.in_(codes),
                    Case.status == "approved",
                    Case.amount > 0,
                    Case.subject_person_id.is_not(None),
                    in_scope,
                    ~exists().where(
                        already.case_id == Case.id, already.status.in_(("issued", "paid"))
                    ),
                ),
            )  # fmt: skip
        )


def _month_text(column):
    """``YYYY-MM`` of a YYYYMM integer, in SQL (same on both backends)."""
    return cast(column // 100, String) + "-" + func.substr(cast(100 + column % 100, String), 2)


LINE_COLUMNS = [
    "batch_id", "line_no", "beneficiary_id", "case_id", "care_support_id", "kind", "province_code",
    "commune_code", "payment_method", "payment_point", "beneficiary_code", "national_id",
    "full_name", "date_of_birth", "address", "payee_name", "payee_national_id",
    "category_codes", "coefficient_pct", "monthly_amount", "arrears_amount", "arrears_months",
    "one_off_amount", "total_amount", "status",
]  # fmt: skip


def _insert_lines(batch: PaymentBatch, month: Month) -> None:
    """One line per payee and kind (a one-off: per dossier; care support: per care
    record, so each carer is paid their own months), numbered in list order."""
    ordered_items = (
        select(PaymentItem)
        .where(PaymentItem.batch_id == batch.id)
        .order_by(PaymentItem.beneficiary_id, PaymentItem.month)
        .subquery("items")
    )
    is_one_off = ordered_items.c.case_id.is_not(None)
    is_current = and_(ordered_items.c.month == month.yyyymm, ~is_one_off)
    is_arrears = and_(ordered_items.c.month != month.yyyymm, ~is_one_off)
    amount = ordered_items.c.amount
    per_payee = (
        select(
            ordered_items.c.beneficiary_id,
            ordered_items.c.case_id,
            ordered_items.c.kind,
            ordered_items.c.care_support_id,
            func.sum(case((is_current, amount), else_=0)).label("monthly"),
            func.sum(case((is_arrears, amount), else_=0)).label("arrears"),
            func.sum(case((is_one_off, amount), else_=0)).label("one_off"),
            joined_codes(case((is_arrears, _month_text(ordered_items.c.month)))).label(
                "arrears_months"
            ),
            func.max(case((is_current, ordered_items.c.coefficient_pct), else_=0)).label("pct"),
            func.max(case((is_current, ordered_items.c.category_codes))).label("codes"),
        )
        .group_by(
            ordered_items.c.beneficiary_id,
            ordered_items.c.case_id,
            ordered_items.c.care_support_id,
            ordered_items.c.kind,
        )  # fmt: skip
        .subquery("per_payee")
    )
    kind = per_payee.c.kind
    name_key = Person.name_sort_key
    if db.session.get_bind().dialect.name == "postgresql":
        name_key = name_key.collate("C")
    commune_code = func.coalesce(Beneficiary.commune_code, Case.commune_code)
    line_no = func.row_number().over(
        order_by=(
            Commune.province_code, commune_code, Beneficiary.payment_point, name_key, Person.id,
            kind, per_payee.c.case_id, per_payee.c.care_support_id,
        )
    )  # fmt: skip

    # Who collects (interchange.md section 3, payee_*): the carer for care support, the
    # organiser of the funeral (ND20 Art 11), the declarant of the death for a deceased
    # person's arrears (domain.md section 6), else the guardian or the person.
    def who_collects(carer, organiser, declarant, guardian, person):
        own = func.coalesce(guardian, person)
        return case(
            (kind == CARE_SUPPORT, carer),
            (kind == "FUNERAL", func.coalesce(organiser, own)),
            (kind == "ONE_OFF", own),
            (Beneficiary.status == "deceased", declarant),
            else_=own,
        )

    payee_name = who_collects(
        CareSupport.carer_name, Case.declarant_name, DeathRecord.declarant_name,
        Beneficiary.payee_name, Person.full_name,
    )  # fmt: skip
    payee_national_id = who_collects(
        CareSupport.carer_national_id, Case.declarant_national_id,
        DeathRecord.declarant_national_id, Beneficiary.payee_national_id, Person.national_id,
    )  # fmt: skip
    total = per_payee.c.monthly + per_payee.c.arrears + per_payee.c.one_off
    rows = (
        select(
            literal(batch.id, Integer), line_no, per_payee.c.beneficiary_id, per_payee.c.case_id,
            per_payee.c.care_support_id, kind, Commune.province_code, commune_code,
            # A one-off to someone outside the registry is paid in cash at the commune.
            func.coalesce(Beneficiary.payment_method, "COMMUNE"), Beneficiary.payment_point,
            func.coalesce(Beneficiary.code, Case.code), Person.national_id, Person.full_name,
            Person.date_of_birth, Person.address, payee_name, payee_national_id,
            func.coalesce(per_payee.c.codes, ""), per_payee.c.pct, per_payee.c.monthly,
            per_payee.c.arrears, func.coalesce(per_payee.c.arrears_months, ""),
            per_payee.c.one_off, total, literal("open"),
        )
        .select_from(per_payee)
        .outerjoin(Beneficiary, Beneficiary.id == per_payee.c.beneficiary_id)
        .outerjoin(Case, Case.id == per_payee.c.case_id)
        .join(Person, Person.id == func.coalesce(Beneficiary.person_id, Case.subject_person_id))
        .join(Commune, Commune.code == commune_code)
        .outerjoin(CareSupport, CareSupport.id == per_payee.c.care_support_id)
        .outerjoin(
            DeathRecord,
            and_(DeathRecord.person_id == Person.id, DeathRecord.status == "effective"),
        )
    )  # fmt: skip
    # Every join of a line is a look-up by key (the person, the commune, the dossier, the
    # care record, an effective death): nested loops over the batch's items. On the
    # statistics of a national run the planner merged or hashed whole tables instead.
    with planner_settings(db.session.connection(), NESTED_LOOPS_ONLY):
        db.session.execute(insert(PaymentLine).from_select(LINE_COLUMNS, rows))
