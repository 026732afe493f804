"""Keeping the dashboards' summary tables current (decision 112), set-based: each
refresh deletes a province's (or a batch's) rows and writes them again with one
``INSERT ... SELECT`` per table.

- ``refresh_batch`` rewrites what one batch paid, commune by commune; the reconciliation
  of a batch calls it in its own transaction, so the money on a dashboard is that of the
  post office's last result file.
- ``refresh_province`` rewrites everything of a province as of a day (the registry, the
  dossiers and their deadlines, complaints, overpayments, and the money of the last 12
  months); ``flask --app wsgi reports refresh`` runs it for every province (cron), and a
  dashboard's reader may ask for it (a job).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Integer, and_, case, delete, func, insert, literal, or_, select

from benefits.cases.models import Case, CaseComplaint
from benefits.cases.queries import OPEN_STATUSES
from benefits.extensions import db
from benefits.models_base import utcnow
from benefits.month import Month
from benefits.payments.models import Overpayment, PaymentBatch, PaymentLine
from benefits.places.calendar import is_working_day
from benefits.places.models import Commune
from benefits.registry.models import Beneficiary, BeneficiaryCategory
from benefits.reports.models import (
    BeneficiaryCount,
    CaseCount,
    CommuneFigures,
    PaidByMonth,
    SummaryRefresh,
)
from benefits.rules.models import Category

# The months of money a dashboard shows (domain.md section 8: the last 12 months).
MONTHS_SHOWN = 12
# Statuses of a person still a beneficiary (a suspended one may be resumed, TT02 Art 2.3).
CURRENT_STATUSES = ("active", "suspended")
DECIDED_STATUSES = ("approved", "refused")
# The clock stops while papers are asked for (domain.md section 2, step 2).
CLOCK_STOPPED = "supplement_requested"


def _paid_rows(lines_where, month_column):
    paid = PaymentLine.status == "paid"
    return (
        select(
            month_column,
            PaymentLine.commune_code,
            PaymentLine.kind,
            PaymentLine.province_code,
            func.max(PaymentLine.batch_id),
            func.count(),
            func.sum(case((paid, 1), else_=0)),
            func.sum(case((paid, PaymentLine.total_amount), else_=0)),
        )  # fmt: skip
        .select_from(PaymentLine)
        .where(*lines_where)
        .group_by(
            month_column, PaymentLine.commune_code, PaymentLine.kind, PaymentLine.province_code
        )  # fmt: skip
    )


_PAID_COLUMNS = ("month", "commune_code", "kind", "province_code", "batch_id", "lines",
                 "paid_lines", "paid_amount")  # fmt: skip


def refresh_batch(batch_id: int) -> None:
    """What batch ``batch_id`` paid in each of its communes, written again."""
    month = db.session.scalar(select(PaymentBatch.month).where(PaymentBatch.id == batch_id))
    if month is None:
        return
    communes = select(PaymentLine.commune_code).where(PaymentLine.batch_id == batch_id).distinct()
    db.session.execute(
        delete(PaidByMonth).where(
            PaidByMonth.month == month,
            or_(PaidByMonth.batch_id == batch_id, PaidByMonth.commune_code.in_(communes)),
        )
    )
    db.session.execute(
        insert(PaidByMonth).from_select(
            _PAID_COLUMNS,
            _paid_rows([PaymentLine.batch_id == batch_id], literal(month.yyyymm, Integer)),
        )
    )


def _refresh_paid(province_code: str, first: Month, last: Month) -> None:
    """The money of the months ``first`` to ``last`` in the province, from the lines of
    the batches that may hold its communes (read by batch, along the lines' index)."""
    communes = select(Commune.code).where(Commune.province_code == province_code)
    batches = select(PaymentBatch.id).where(
        PaymentBatch.month >= first,
        PaymentBatch.month <= last,
        or_(
            and_(PaymentBatch.scope_kind == "province", PaymentBatch.scope_code == province_code),
            and_(PaymentBatch.scope_kind == "commune", PaymentBatch.scope_code.in_(communes)),
            PaymentBatch.scope_kind.not_in(("province", "commune")),  # a national batch
        ),
    )
    db.session.execute(
        delete(PaidByMonth).where(
            PaidByMonth.province_code == province_code,
            PaidByMonth.month >= first,
            PaidByMonth.month <= last,
        )
    )
    db.session.execute(
        insert(PaidByMonth).from_select(
            _PAID_COLUMNS,
            _paid_rows(
                [PaymentLine.batch_id.in_(batches), PaymentLine.province_code == province_code],
                PaymentBatch.month,
            ).join(PaymentBatch, PaymentBatch.id == PaymentLine.batch_id),
        )  # fmt: skip
    )


def last_working_day(today: date) -> date:
    """The latest working day up to ``today``: a dossier due on it or later is not late
    yet (a deadline in working days runs out only with a working day, as the queue's flag
    counts it: ``cases.queries.deadline_flag``)."""
    day = today
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def _principal_now(beneficiaries):
    """Each beneficiary's category as the dashboard counts it (of those whose ids
    ``beneficiaries`` selects): an open one first, else the one ending last, then by
    article (as the report forms, decision 111)."""
    rank = func.row_number().over(
        partition_by=BeneficiaryCategory.beneficiary_id,
        order_by=(
            func.coalesce(BeneficiaryCategory.to_month, 999912).desc(),
            BeneficiaryCategory.from_month.desc(),
            Category.article,
            BeneficiaryCategory.category_code,
        ),
    )
    return (
        select(
            BeneficiaryCategory.beneficiary_id,
            BeneficiaryCategory.category_code,
            rank.label("rank"),
        )  # fmt: skip
        .join(Category, Category.code == BeneficiaryCategory.category_code)
        .where(BeneficiaryCategory.beneficiary_id.in_(beneficiaries))
        .subquery("ranked")
    )


def refresh_province(province_code: str, today: date) -> None:
    """Every summary of the province, as of ``today``."""
    in_province = Commune.province_code == province_code
    for model in (BeneficiaryCount, CaseCount, CommuneFigures):
        db.session.execute(delete(model).where(model.province_code == province_code))

    communes = select(Commune.code).where(in_province)
    ranked = _principal_now(select(Beneficiary.id).where(Beneficiary.commune_code.in_(communes)))
    db.session.execute(
        insert(BeneficiaryCount).from_select(
            ("commune_code", "category_code", "status", "province_code", "people"),
            select(
                Beneficiary.commune_code,
                ranked.c.category_code,
                Beneficiary.status,
                Commune.province_code,
                func.count(),
            )  # fmt: skip
            .join(ranked, and_(ranked.c.beneficiary_id == Beneficiary.id, ranked.c.rank == 1))
            .join(Commune, Commune.code == Beneficiary.commune_code)
            .where(in_province)
            .group_by(
                Beneficiary.commune_code,
                ranked.c.category_code,
                Beneficiary.status,
                Commune.province_code,
            ),  # fmt: skip
        )
    )

    since = today - timedelta(days=365)
    late_after = last_working_day(today)
    received = Case.received_on >= since
    decided = and_(received, Case.status.in_(DECIDED_STATUSES), Case.decided_on.is_not(None))
    is_open = Case.status.in_(OPEN_STATUSES)

    def count(condition):
        return func.sum(case((condition, 1), else_=0))

    db.session.execute(
        insert(CaseCount).from_select(
            (
                "commune_code",
                "procedure_code",
                "province_code",
                "received",
                "decided",
                "decided_in_time",
                "open",
                "overdue",
            ),
            select(
                Case.commune_code,
                Case.procedure_code,
                Commune.province_code,
                count(received),
                count(decided),
                count(and_(decided, Case.decided_on <= Case.due_on)),
                count(is_open),
                count(and_(is_open, Case.status != CLOCK_STOPPED, Case.due_on < late_after)),
            )
            .join(Commune, Commune.code == Case.commune_code)
            .where(in_province, or_(received, is_open))
            .group_by(Case.commune_code, Case.procedure_code, Commune.province_code),
        )  # fmt: skip
    )

    # domain.md section 2 step 3: a complaint is examined within 10 working days
    # (``examine_by``, set when it is received: cases.workflow.COMPLAINT_WORKING_DAYS).
    unanswered = CaseComplaint.answered_on.is_(None)
    complaints = (
        select(
            Case.commune_code.label("commune_code"),
            count(unanswered).label("open"),
            count(and_(unanswered, CaseComplaint.examine_by < late_after)).label("overdue"),
        )
        .join(Case, Case.id == CaseComplaint.case_id)
        .group_by(Case.commune_code)
        .subquery("complaints")
    )
    overpayments = (
        select(
            Beneficiary.commune_code.label("commune_code"),
            func.count().label("number"),
            func.sum(Overpayment.amount).label("amount"),
        )
        .join(Beneficiary, Beneficiary.id == Overpayment.beneficiary_id)
        .where(Overpayment.status == "to_recover")
        .group_by(Beneficiary.commune_code)
        .subquery("overpayments")
    )
    db.session.execute(
        insert(CommuneFigures).from_select(
            (
                "commune_code",
                "province_code",
                "complaints_open",
                "complaints_overdue",
                "overpayments",
                "overpayment_amount",
            ),
            select(
                Commune.code,
                Commune.province_code,
                func.coalesce(complaints.c.open, 0),
                func.coalesce(complaints.c.overdue, 0),
                func.coalesce(overpayments.c.number, 0),
                func.coalesce(overpayments.c.amount, 0),
            )
            .outerjoin(complaints, complaints.c.commune_code == Commune.code)
            .outerjoin(overpayments, overpayments.c.commune_code == Commune.code)
            .where(
                in_province,
                or_(
                    complaints.c.commune_code.is_not(None), overpayments.c.commune_code.is_not(None)
                ),
            ),
        )  # fmt: skip
    )

    this_month = Month.of(today)
    _refresh_paid(province_code, this_month - (MONTHS_SHOWN - 1), this_month + 1)

    refresh = db.session.get(SummaryRefresh, province_code)
    if refresh is None:
        refresh = SummaryRefresh(province_code=province_code)
        db.session.add(refresh)
    refresh.as_of, refresh.refreshed_at = today, utcnow()
    db.session.flush()
