"""Generating a month's batch, set-based in the database (domain.md section 6).

A few statements per batch, whatever its size: the entitlement months due and never paid
are inserted as ``payment_items`` (``INSERT ... SELECT`` over the SQL entitlement, with
the month of the batch and every earlier month since the start as arrears), then grouped
into ``payment_lines``, one per payee and kind, numbered in the order of the list. On
PostgreSQL the allowance items and the lines are one statement (docs/decisions.md 47).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

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
    null,
    or_,
    select,
    text,
    true,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from benefits.accounts.audit import Actor, record_audit, scope_places
from benefits.cases.models import Case
from benefits.deaths.models import DeathRecord
from benefits.errors import DomainError, InvalidTransition
from benefits.extensions import db
from benefits.i18n import format_month
from benefits.month import Month, month_index_sql
from benefits.payments.coverage import cover_communes, covered_communes
from benefits.payments.models import BatchCommune, PaymentBatch, PaymentItem, PaymentLine
from benefits.people.models import Person
from benefits.places.calendar import vietnam_today
from benefits.places.models import Commune, Province
from benefits.planner import planner_settings
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
from benefits.rules.models import StandardLevel

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


def check_payable_month(month: Month, today: date | None = None) -> None:
    """A batch is for a month the rule tables cover and that has come, or the next one
    (a list is prepared ahead of its month): a month typed by mistake (2019-01, 2052-03)
    would otherwise leave an empty open batch in the officer's list."""
    first = db.session.scalar(
        select(func.min(StandardLevel.effective_month)).where(StandardLevel.province_code.is_(None))
    )
    if first is not None and month < first:
        raise DomainError(
            _l("No standard level covers %(month)s: the first is from %(first)s.",
               month=format_month(month), first=format_month(first))
        )  # fmt: skip
    # domain.md section 6: a batch is made in the month before the one it pays.
    latest = Month.of(today or vietnam_today()) + 1
    if month > latest:
        raise DomainError(
            _l("A batch can be generated at the latest for next month (%(month)s).",
               month=format_month(latest))
        )  # fmt: skip


def find_batch(month: Month, scope_kind: str, scope_code: str | None) -> PaymentBatch | None:
    code = (
        PaymentBatch.scope_code.is_(None)
        if scope_code is None
        else PaymentBatch.scope_code == scope_code
    )
    return db.session.scalar(
        select(PaymentBatch).where(
            PaymentBatch.month == month, PaymentBatch.scope_kind == scope_kind, code
        )
    )


def find_or_open_batch(month: Month, scope_kind: str, scope_code: str | None) -> PaymentBatch:
    """The batch of the month for the scope; a new one takes the communes of its scope
    that no other batch of the month holds (``coverage.cover_communes``)."""
    if scope_kind == "province" and db.session.get(Province, scope_code) is None:
        raise DomainError(_l("Unknown province %(code)s.", code=scope_code))
    if scope_kind == "commune" and db.session.get(Commune, scope_code) is None:
        raise DomainError(_l("Unknown commune %(code)s.", code=scope_code))
    batch = find_batch(month, scope_kind, scope_code)
    if batch is None:
        try:
            with db.session.begin_nested():
                batch = PaymentBatch(month=month, scope_kind=scope_kind, scope_code=scope_code)
                db.session.add(batch)
                db.session.flush()
        except IntegrityError:  # opened by another writer meanwhile: that one, then
            batch = find_batch(month, scope_kind, scope_code)
            if batch is None:
                raise
    if batch.status == "open":
        cover_communes(batch)
    return batch


def _refuse_locked(batch: PaymentBatch) -> None:
    if batch.status == "locked":
        raise BatchLocked(_l("Batch %(id)s is locked and cannot be generated again.", id=batch.id))


def _line_figures(batch: PaymentBatch, *where) -> tuple[int, int]:
    count, total = db.session.execute(
        select(
            func.count(), cast(func.coalesce(func.sum(PaymentLine.total_amount), 0), BigInteger)
        ).where(PaymentLine.batch_id == batch.id, *where)
    ).one()
    return int(count), int(total)


def generate_batch(month: Month, scope_kind: str, scope_code: str, actor: Actor) -> PaymentBatch:
    """Compute (or recompute in place) the open batch of ``month`` for a province or
    commune: the lines of the communes it holds."""
    check_payable_month(month)
    batch = find_or_open_batch(month, scope_kind, scope_code)
    _refuse_locked(batch)
    with planner_settings(db.session.connection(), PLANNED_AS_WRITTEN):
        # Regeneration recomputes in place: the open batch's lines and items are replaced.
        clear_open_batch(batch)
        _insert_items_and_lines(batch, month, covered_communes(batch))
    count, total = _line_figures(batch)
    batch.line_count, batch.total_amount = count, total
    batch.generated_at = datetime.now(UTC)
    record_audit(
        actor,
        "payments.generate",
        "payment_batch",
        batch.id,
        {"month": str(month), "scope": f"{scope_kind}:{scope_code}", "lines": count,
         "total_amount": total},
        **scope_places(scope_kind, scope_code),
    )  # fmt: skip
    db.session.flush()
    return batch


# A province's lines in the national batch are first numbered from its code × this block
# (province 01: 10,000,001 ...), so that provinces written at the same time never share a
# number; once every province is written, the batch is numbered 1..N in the list's order
# in one statement (the country has fewer than 10,000,000 lines).
PROVISIONAL_BLOCK = 10_000_000


def generate_national_part(
    batch: PaymentBatch, province_code: str, actor: Actor
) -> tuple[int, int]:
    """Write (or write again) one province's lines of the national batch; the province's
    job holds the rows of its communes in ``payment_batch_communes`` (``tasks``). The last
    province written numbers the whole batch. Returns the province's lines and total."""
    check_payable_month(batch.month)
    _refuse_locked(batch)
    in_province = PaymentLine.province_code == province_code
    removed = _line_figures(batch, in_province)
    with planner_settings(db.session.connection(), PLANNED_AS_WRITTEN):
        _clear_province(batch, province_code)
        _insert_items_and_lines(
            batch, batch.month, covered_communes(batch, province_code),
            first_line_no=int(province_code) * PROVISIONAL_BLOCK,
        )  # fmt: skip
    added = _line_figures(batch, in_province)
    db.session.execute(
        update(BatchCommune)
        .where(BatchCommune.batch_id == batch.id,
               BatchCommune.commune_code.in_(covered_communes(batch, province_code)))
        .values(pending=False)
    )  # fmt: skip
    # The provinces end one at a time, each seeing those ended before (the row lock).
    # FOR NO KEY UPDATE: the key-share locks the other provinces' lines and items take on
    # the batch row (their foreign keys) do not block it. FOR UPDATE did: two provinces
    # ending together each waited for the other's key-share lock, a deadlock (decision 150).
    db.session.execute(
        select(PaymentBatch.id).where(PaymentBatch.id == batch.id).with_for_update(key_share=True)
    )
    pending = db.session.scalar(
        select(func.count()).where(BatchCommune.batch_id == batch.id, BatchCommune.pending)
    )
    db.session.execute(
        update(PaymentBatch).where(PaymentBatch.id == batch.id).values(
            line_count=PaymentBatch.line_count + added[0] - removed[0],
            total_amount=PaymentBatch.total_amount + added[1] - removed[1],
            communes_pending=pending,
        )
    )  # fmt: skip
    db.session.refresh(batch)
    if pending == 0:
        _number_in_list_order(batch)
        batch.generated_at = datetime.now(UTC)
    record_audit(
        actor, "payments.generate", "payment_batch", batch.id,
        {"month": str(batch.month), "scope": f"national:{province_code}", "lines": added[0],
         "total_amount": added[1], "communes_pending": pending},
        province_code=province_code,
    )  # fmt: skip
    db.session.flush()
    return added


def _clear_province(batch: PaymentBatch, province_code: str) -> None:
    """Delete a province's lines of an open batch and the items they pay."""
    line = PaymentLine.__table__.c
    in_province = and_(line.batch_id == batch.id, line.province_code == province_code)

    def pays(lines):
        return and_(
            PaymentItem.kind == lines.c.kind,
            func.coalesce(PaymentItem.beneficiary_id, 0)
            == func.coalesce(lines.c.beneficiary_id, 0),
            func.coalesce(PaymentItem.case_id, 0) == func.coalesce(lines.c.case_id, 0),
            func.coalesce(PaymentItem.care_support_id, 0)
            == func.coalesce(lines.c.care_support_id, 0),
        )

    if db.session.get_bind().dialect.name == "postgresql":
        # One statement: the check that no line is left without its items runs after it.
        gone = (
            delete(PaymentLine.__table__).where(in_province)
            .returning(line.kind, line.beneficiary_id, line.case_id, line.care_support_id)
            .cte("gone_lines")
        )  # fmt: skip
        db.session.execute(
            delete(PaymentItem)
            .where(PaymentItem.batch_id == batch.id,
                   exists(select(1).select_from(gone).where(pays(gone))))
            .add_cte(gone)
        )  # fmt: skip
        return
    lines = (
        select(line.kind, line.beneficiary_id, line.case_id, line.care_support_id)
        .where(in_province)
        .subquery("province_lines")
    )
    db.session.execute(
        delete(PaymentItem).where(
            PaymentItem.batch_id == batch.id,
            exists(select(1).select_from(lines).where(pays(lines))),
        )
    )
    db.session.execute(delete(PaymentLine.__table__).where(in_province))


def _number_in_list_order(batch: PaymentBatch) -> None:
    """Number the national batch 1..N: by province code, then each province's own order."""
    params = {"batch": batch.id}
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET CONSTRAINTS uq_payment_lines_batch_id_line_no DEFERRED"))
        db.session.execute(text(
            "UPDATE payment_lines l SET line_no = n.rn FROM ("
            " SELECT id, row_number() OVER (ORDER BY province_code, line_no) AS rn"
            " FROM payment_lines WHERE batch_id = :batch) n"
            " WHERE l.id = n.id AND l.line_no <> n.rn"
        ), params)  # fmt: skip
        db.session.execute(text("SET CONSTRAINTS uq_payment_lines_batch_id_line_no IMMEDIATE"))
        return
    # SQLite checks uniqueness row by row: the numbers go out of the way first.
    db.session.execute(
        text("UPDATE payment_lines SET line_no = -line_no WHERE batch_id = :batch"), params
    )
    db.session.execute(text(
        "UPDATE payment_lines SET line_no = n.rn FROM ("
        " SELECT id, row_number() OVER (ORDER BY province_code, line_no DESC) AS rn"
        " FROM payment_lines WHERE batch_id = :batch) n"
        " WHERE payment_lines.id = n.id"
    ), params)  # fmt: skip


def clear_open_batch(batch: PaymentBatch) -> None:
    """Delete an open batch's lines and items: the months and dossiers they held are due
    again (the database refuses it for a locked batch)."""
    db.session.execute(delete(PaymentLine).where(PaymentLine.batch_id == batch.id))
    db.session.execute(delete(PaymentItem).where(PaymentItem.batch_id == batch.id))


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


def commune_in_scope(commune_column, scope_kind: str, scope_code: str | None):
    """``commune_column`` is a commune of the scope: the commune itself, one of the
    province's communes, or any (national)."""
    if scope_kind == "commune":
        return commune_column == scope_code
    if scope_kind == "national":
        return true()
    return commune_column.in_(select(Commune.code).where(Commune.province_code == scope_code))


def _in_scope_by_commune(query, commune_column, communes):
    """``query`` restricted to the ``communes`` (a select of their codes). On PostgreSQL
    they are read commune by commune through the commune index: a province's
    beneficiaries are spread over the whole registry, and one scan per province would read
    all of it, 34 times in a national run."""
    if db.session.get_bind().dialect.name != "postgresql":
        return query.where(commune_column.in_(communes))
    communes = communes.subquery("scope")
    communes = select(communes.c.commune_code.label("code")).subquery("scope_codes")
    # OFFSET 0 keeps the planner from flattening the per-commune read into one scan.
    per_commune = query.where(commune_column == communes.c.code).offset(0).lateral("in_commune")
    return select(*per_commune.c).select_from(communes).join(per_commune, literal(True))


def _insert_items_and_lines(
    batch: PaymentBatch, month: Month, communes, first_line_no: int = 0
) -> None:
    """The approved one-off support and every entitlement month due and never paid (the
    items), then one line per payee and kind. On PostgreSQL the allowance items and all
    the lines are one statement: the lines group the allowance items the statement
    returns and take the person's columns from the registry rows it has already read,
    instead of reading the items and the persons back (benchmarks/README.md, decision 47)."""
    # A province of the national batch reads back only its own items: those written
    # after the batch's last one so far, of its communes (other provinces commit theirs
    # meanwhile).
    own = []
    if first_line_no:
        last = db.session.scalar(
            select(func.coalesce(func.max(PaymentItem.id), 0)).where(
                PaymentItem.batch_id == batch.id
            )
        )
        own = [PaymentItem.id > last, _items_of_communes(communes)]
    _insert_care_support_items(batch, month, communes)
    _insert_one_off_items(batch, month, communes)
    candidates = _allowance_candidates(month, communes)
    due = _allowance_due(candidates, month)
    allowance_items = insert(PaymentItem).from_select(
        MONTHLY_ITEM_COLUMNS,
        _monthly_item_rows(batch, ALLOWANCE, due, due.c.category_codes, literal(None, Integer)),
    )
    if db.session.get_bind().dialect.name != "postgresql":
        # SQLite has no INSERT inside a WITH: the lines read the items back.
        db.session.execute(allowance_items)
        db.session.execute(
            insert(PaymentLine).from_select(
                LINE_COLUMNS,
                _numbered_lines(
                    batch, month, [_lines_of_stored_items(batch, month, *own)], first_line_no
                ),
            )
        )
        return
    written = allowance_items.returning(*(PaymentItem.__table__.c[n] for n in PAID_COLUMNS))
    written = written.cte("allowance_items")
    parts = [
        _allowance_lines(_per_payee(written, month), candidates),
        # Care support and one-off items were written by the statements before: this
        # statement reads them (and not its own allowance items) from the table.
        _lines_of_stored_items(batch, month, PaymentItem.kind != ALLOWANCE, *own),
    ]
    db.session.execute(
        insert(PaymentLine).from_select(
            LINE_COLUMNS, _numbered_lines(batch, month, parts, first_line_no)
        )
    )


def _items_of_communes(communes):
    return or_(
        PaymentItem.beneficiary_id.in_(
            select(Beneficiary.id).where(Beneficiary.commune_code.in_(communes))
        ),
        PaymentItem.case_id.in_(select(Case.id).where(Case.commune_code.in_(communes))),
    )


ITEM_COLUMNS = [
    "batch_id", "beneficiary_id", "kind", "month", "coefficient_pct", "standard_level",
    "amount", "category_codes", "status", "care_support_id", "case_id",
]  # fmt: skip
# A monthly item may top up a month issued at a lower amount (``_top_ups_due``).
MONTHLY_ITEM_COLUMNS = [*ITEM_COLUMNS, "tops_up"]


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

    def issued(tops_up: bool):
        already = aliased(PaymentItem)
        return select(literal(1)).where(
            already.beneficiary_id == beneficiary_id,
            already.kind == kind,
            already.month == month_value,
            already.case_id.is_(None),
            already.status.in_(("issued", "paid")),
            already.tops_up if tops_up else ~already.tops_up,
        )

    # OFFSET 0: one probe of a unique index per month due. Left to the planner, the
    # anti-join hashed every item of every province already generated (quadratic over a
    # national run), or on stale statistics looped over them all for each month due.
    # The month's own items and its top-ups are two partial indexes (migration 0032b):
    # one probe each, a probe naming neither read every item for each month due, the
    # same quadratic (benchmarks/README.md, decision 150).
    return and_(~issued(False).offset(0).exists(), ~issued(True).offset(0).exists())


# What a line shows of a beneficiary, read with the registry columns of each candidate
# (PostgreSQL: the lines take them from there instead of reading the persons again).
LINE_REGISTRY_COLUMNS = {
    "person_id": Person.id, "commune_code": Beneficiary.commune_code,
    "payment_method": Beneficiary.payment_method, "payment_point": Beneficiary.payment_point,
    "beneficiary_code": Beneficiary.code, "payee_name": Beneficiary.payee_name,
    "payee_national_id": Beneficiary.payee_national_id, "status": Beneficiary.status,
    "national_id": Person.national_id, "full_name": Person.full_name,
    "date_of_birth": Person.date_of_birth, "address": Person.address,
    "name_sort_key": Person.name_sort_key,
}  # fmt: skip


def _allowance_candidates(month: Month, communes):
    """The scope's payable beneficiaries with the months they may be due (``start_idx``
    to ``end_idx``), their registry columns and what their line shows."""
    effective_idx = month_index_sql(Beneficiary.effective_month)
    after_paid_idx = func.coalesce(month_index_sql(Beneficiary.paid_through_month) + 1, 0)
    # The registry columns the entitlement needs travel with each candidate: read once
    # here, not joined again for every month due.
    registry = registry_rows().add_columns(
        greatest(effective_idx, after_paid_idx).label("start_idx"),
        literal(month.index, Integer).label("end_idx"),
        Beneficiary.top_up_from,
        *(column.label(name) for name, column in LINE_REGISTRY_COLUMNS.items()),
    )
    return _in_scope_by_commune(
        registry.where(Beneficiary.status.in_(PAYABLE_STATUSES)),
        Beneficiary.commune_code,
        communes,
    ).cte("candidates")


def _allowance_due(candidates, month: Month):
    """The allowance due for every month of every candidate never paid."""
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
    return union_all(
        select(*due.c, literal(False).label("tops_up")), _top_ups_due(candidates, month)
    ).subquery("due_and_top_ups")


def _top_ups_due(candidates, month: Month):
    """domain.md section 2, 1.001776 adjust (ND20 Art 8.1): a back-dated increase makes up
    the months already issued at the lower amount, as arrears. Only for the records an
    increase marked (``top_up_from``): what the month is due now, less what its items
    already pay (their sum: a second increase adds only its own difference)."""

    def items(tops_up: bool):
        # From the candidates marked, into one of the items' two partial indexes (a
        # month's own item, its top-ups: migration 0032b), rather than every item of the
        # table read for each province (decision 150).
        issued = aliased(PaymentItem)
        return (
            select(issued.beneficiary_id, issued.month, issued.amount)
            .select_from(candidates)
            .join(issued, issued.beneficiary_id == candidates.c.beneficiary_id)
            .where(
                candidates.c.top_up_from.is_not(None),
                issued.kind == ALLOWANCE,
                issued.month >= candidates.c.top_up_from,
                issued.month < month.yyyymm,
                issued.case_id.is_(None),
                issued.status.in_(("issued", "paid")),
                issued.tops_up if tops_up else ~issued.tops_up,
            )
        )

    issued = union_all(items(False), items(True)).subquery("issued_items")
    paid = (
        select(issued.c.beneficiary_id, issued.c.month, func.sum(issued.c.amount).label("paid"))
        .group_by(issued.c.beneficiary_id, issued.c.month)
        .subquery("paid_months")
    )
    due = monthly_entitlement_select(select(paid.c.beneficiary_id, paid.c.month)).subquery(
        "top_up_due"
    )
    return (
        select(
            due.c.beneficiary_id,
            due.c.month,
            due.c.coefficient_pct,
            due.c.standard_level,
            (due.c.amount - paid.c.paid).label("amount"),
            due.c.category_codes,
            literal(True).label("tops_up"),
        )  # fmt: skip
        .join(
            paid, and_(paid.c.beneficiary_id == due.c.beneficiary_id, paid.c.month == due.c.month)
        )
        .where(due.c.amount > paid.c.paid)
    )


def _monthly_item_rows(batch: PaymentBatch, kind: str, due, codes, care_support_id):
    tops_up = due.c.tops_up if "tops_up" in due.c else literal(False)
    return select(
        literal(batch.id, Integer), due.c.beneficiary_id, literal(kind), due.c.month,
        due.c.coefficient_pct, due.c.standard_level, due.c.amount, codes,
        literal("issued"), care_support_id, literal(None, Integer), tops_up,
    )  # fmt: skip


def _insert_monthly_items(batch: PaymentBatch, kind: str, due, codes, care_support_id) -> None:
    db.session.execute(
        insert(PaymentItem).from_select(
            MONTHLY_ITEM_COLUMNS, _monthly_item_rows(batch, kind, due, codes, care_support_id)
        )
    )


def _insert_care_support_items(batch: PaymentBatch, month: Month, communes) -> None:
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
            Beneficiary.commune_code.in_(communes),
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


def _insert_one_off_items(batch: PaymentBatch, month: Month, communes) -> None:
    """domain.md section 4: one-off support approved and not yet paid goes into the next
    batch as its own line; the partial unique index on ``case_id`` pays a dossier once."""
    in_scope = Case.commune_code.in_(communes)
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


# The item columns a line is made of.
PAID_COLUMNS = (
    "beneficiary_id", "case_id", "care_support_id", "kind", "month", "amount",
    "coefficient_pct", "category_codes",
)  # fmt: skip


def _per_payee(items, month: Month):
    """One row per payee and kind (a one-off: per dossier; care support: per care record,
    so each carer is paid their own months) over ``items`` (``PAID_COLUMNS``)."""
    is_one_off = items.c.case_id.is_not(None)
    is_current = and_(items.c.month == month.yyyymm, ~is_one_off)
    is_arrears = and_(items.c.month != month.yyyymm, ~is_one_off)
    amount = items.c.amount
    return (
        select(
            items.c.beneficiary_id,
            items.c.case_id,
            items.c.kind,
            items.c.care_support_id,
            func.sum(case((is_current, amount), else_=0)).label("monthly"),
            func.sum(case((is_arrears, amount), else_=0)).label("arrears"),
            func.sum(case((is_one_off, amount), else_=0)).label("one_off"),
            joined_codes(case((is_arrears, _month_text(items.c.month)))).label("arrears_months"),
            func.max(case((is_current, items.c.coefficient_pct), else_=0)).label("pct"),
            func.max(case((is_current, items.c.category_codes))).label("codes"),
        )
        .group_by(items.c.beneficiary_id, items.c.case_id, items.c.care_support_id, items.c.kind)
        .subquery("per_payee")
    )


# Who collects (interchange.md section 3, payee_*): the carer for care support, the
# organiser of the funeral (ND20 Art 11), the declarant of the death for a deceased
# person's arrears (domain.md section 6), else the guardian or the person.
def _who_collects(kind, status, carer, organiser, declarant, guardian, person):
    own = func.coalesce(guardian, person)
    return case(
        (kind == CARE_SUPPORT, carer),
        (kind == "FUNERAL", func.coalesce(organiser, own)),
        (kind == "ONE_OFF", own),
        (status == "deceased", declarant),
        else_=own,
    )


def _line_amounts(per_payee):
    """The amount columns of a line, from ``_per_payee``."""
    total = per_payee.c.monthly + per_payee.c.arrears + per_payee.c.one_off
    return (
        func.coalesce(per_payee.c.codes, "").label("category_codes"),
        per_payee.c.pct.label("coefficient_pct"),
        per_payee.c.monthly.label("monthly_amount"),
        per_payee.c.arrears.label("arrears_amount"),
        func.coalesce(per_payee.c.arrears_months, "").label("arrears_months"),
        per_payee.c.one_off.label("one_off_amount"),
        total.label("total_amount"),
    )


def _lines_of_stored_items(batch: PaymentBatch, month: Month, *where):
    """The lines of the batch's items in the table (``where``: which of them), with the
    columns of ``LINE_COLUMNS`` between ``line_no`` and ``status`` and the list order's
    ``name_key`` and ``person_id``."""
    ordered_items = (
        select(*(PaymentItem.__table__.c[name] for name in PAID_COLUMNS))
        .where(PaymentItem.batch_id == batch.id, *where)
        .order_by(PaymentItem.beneficiary_id, PaymentItem.month)
        .subquery("items")
    )
    per_payee = _per_payee(ordered_items, month)
    kind = per_payee.c.kind
    commune_code = func.coalesce(Beneficiary.commune_code, Case.commune_code)
    payee_name = _who_collects(
        kind, Beneficiary.status, CareSupport.carer_name, Case.declarant_name,
        DeathRecord.declarant_name, Beneficiary.payee_name, Person.full_name,
    )  # fmt: skip
    payee_national_id = _who_collects(
        kind, Beneficiary.status, CareSupport.carer_national_id, Case.declarant_national_id,
        DeathRecord.declarant_national_id, Beneficiary.payee_national_id, Person.national_id,
    )  # fmt: skip
    return (
        select(
            per_payee.c.beneficiary_id, per_payee.c.case_id, per_payee.c.care_support_id, kind,
            Commune.province_code, commune_code.label("commune_code"),
            # A one-off to someone outside the registry is paid in cash at the commune.
            func.coalesce(Beneficiary.payment_method, "COMMUNE").label("payment_method"),
            Beneficiary.payment_point,
            func.coalesce(Beneficiary.code, Case.code).label("beneficiary_code"),
            Person.national_id, Person.full_name, Person.date_of_birth, Person.address,
            payee_name.label("payee_name"), payee_national_id.label("payee_national_id"),
            *_line_amounts(per_payee),
            Person.name_sort_key.label("name_key"), Person.id.label("person_id"),
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


def _allowance_lines(per_payee, candidates):
    """The allowance lines, as ``_lines_of_stored_items`` returns them, from the registry
    columns the candidates carry: no person read again."""
    c = candidates.c

    def declarant(column):
        # Only for a deceased person's line (a person has one effective death record).
        return (
            select(column)
            .where(DeathRecord.person_id == c.person_id, DeathRecord.status == "effective")
            .scalar_subquery()
        )

    kind = per_payee.c.kind
    payee_name = _who_collects(
        kind, c.status, null(), null(), declarant(DeathRecord.declarant_name), c.payee_name,
        c.full_name,
    )  # fmt: skip
    payee_national_id = _who_collects(
        kind, c.status, null(), null(), declarant(DeathRecord.declarant_national_id),
        c.payee_national_id, c.national_id,
    )  # fmt: skip
    return (
        select(
            per_payee.c.beneficiary_id, per_payee.c.case_id, per_payee.c.care_support_id, kind,
            c.province_code, c.commune_code, c.payment_method, c.payment_point,
            c.beneficiary_code, c.national_id, c.full_name, c.date_of_birth, c.address,
            payee_name.label("payee_name"), payee_national_id.label("payee_national_id"),
            *_line_amounts(per_payee),
            c.name_sort_key.label("name_key"), c.person_id,
        )
        .select_from(per_payee)
        .join(candidates, c.beneficiary_id == per_payee.c.beneficiary_id)
    )  # fmt: skip


def _numbered_lines(batch: PaymentBatch, month: Month, parts, first_line_no: int = 0):
    """The rows of ``LINE_COLUMNS`` for the lines of ``parts``, numbered in list order
    from ``first_line_no + 1``."""
    lines = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("lines")
    name_key = lines.c.name_key
    if db.session.get_bind().dialect.name == "postgresql":
        name_key = name_key.collate("C")
    line_no = func.row_number().over(
        order_by=(
            lines.c.province_code, lines.c.commune_code, lines.c.payment_point, name_key,
            lines.c.person_id, lines.c.kind, lines.c.case_id, lines.c.care_support_id,
        )
    )  # fmt: skip
    if first_line_no:
        line_no = line_no + literal(first_line_no, Integer)
    return select(
        literal(batch.id, Integer), line_no, *(lines.c[name] for name in LINE_COLUMNS[2:-1]),
        literal("open"),
    )  # fmt: skip
