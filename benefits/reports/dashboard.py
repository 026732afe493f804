"""What a dashboard shows (domain.md section 8), read from the summary tables only
(``reports.models``), never from the payment lines or the registry: a few hundred rows
per request whatever the caseload (decision 112).

Each table is a ``Table``: its columns (code and words) and its rows, so that the page,
its chart and its CSV download are one and the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from benefits.month import Month
from benefits.places.calendar import vietnam_today
from benefits.reports.health_insurance import Scope
from benefits.reports.models import (
    BeneficiaryCount,
    CaseCount,
    CommuneFigures,
    PaidByMonth,
    SummaryRefresh,
)
from benefits.reports.reading import reader
from benefits.reports.summaries import CURRENT_STATUSES, MONTHS_SHOWN


@dataclass
class Table:
    """A dashboard table: ``columns`` are (code, words) pairs; ``rows`` lists of values
    in that order (the first column the row's code, shown by the page in words)."""

    name: str
    title: object
    columns: list[tuple[str, object]]
    rows: list[list] = field(default_factory=list)

    def column(self, code: str) -> list:
        index = [c for c, _w in self.columns].index(code)
        return [row[index] for row in self.rows]


@dataclass
class Dashboard:
    scope: Scope
    refreshed_at: datetime | None
    as_of: date | None
    by_category: Table
    by_commune: Table
    paid_by_month: Table
    cases: Table
    suspended: int
    complaints_open: int
    complaints_overdue: int
    overpayments: int
    overpayment_amount: int

    @property
    def tables(self) -> dict[str, Table]:
        return {t.name: t for t in (self.by_category, self.by_commune, self.paid_by_month,
                                    self.cases)}  # fmt: skip


def _in(model, scope: Scope):
    return scope.where(model.commune_code, model.province_code)


def build_dashboard(scope: Scope, today: date | None = None) -> Dashboard:
    today = today or vietnam_today()
    refresh = reader().get(SummaryRefresh, scope.province_code) if scope.province_code else None
    current = BeneficiaryCount.status.in_(CURRENT_STATUSES)
    suspended = case((BeneficiaryCount.status == "suspended", BeneficiaryCount.people), else_=0)

    by_category = Table("beneficiaries-by-category", _l("Beneficiaries by category"),
                        [("category", _l("Category")), ("people", _l("People")),
                         ("suspended", _l("Of whom suspended"))])  # fmt: skip
    by_category.rows = [
        list(row)
        for row in reader().execute(
            select(
                BeneficiaryCount.category_code,
                func.sum(BeneficiaryCount.people),
                func.sum(suspended),
            )  # fmt: skip
            .where(_in(BeneficiaryCount, scope), current)
            .group_by(BeneficiaryCount.category_code)
            .order_by(BeneficiaryCount.category_code)
        )
    ]
    by_commune = Table("beneficiaries-by-commune", _l("Beneficiaries by commune"),
                       [("commune", _l("Commune")), ("people", _l("People")),
                        ("suspended", _l("Of whom suspended"))])  # fmt: skip
    by_commune.rows = [
        list(row)
        for row in reader().execute(
            select(
                BeneficiaryCount.commune_code,
                func.sum(BeneficiaryCount.people),
                func.sum(suspended),
            )  # fmt: skip
            .where(_in(BeneficiaryCount, scope), current)
            .group_by(BeneficiaryCount.commune_code)
            .order_by(BeneficiaryCount.commune_code)
        )
    ]

    last = Month.of(today)
    first = last - (MONTHS_SHOWN - 1)
    paid = dict(
        reader()
        .execute(
            select(PaidByMonth.month, func.sum(PaidByMonth.paid_amount))
            .where(_in(PaidByMonth, scope), PaidByMonth.month >= first, PaidByMonth.month <= last)
            .group_by(PaidByMonth.month)
        )
        .all()
    )
    paid_lines = dict(
        reader()
        .execute(
            select(PaidByMonth.month, func.sum(PaidByMonth.paid_lines))
            .where(_in(PaidByMonth, scope), PaidByMonth.month >= first, PaidByMonth.month <= last)
            .group_by(PaidByMonth.month)
        )
        .all()
    )
    paid_by_month = Table("paid-by-month", _l("Money paid by month, last 12 months"),
                          [("month", _l("Month")), ("paid_lines", _l("Payments made")),
                           ("paid_amount", _l("Money paid (VND)"))])  # fmt: skip
    paid_by_month.rows = [
        [month, int(paid_lines.get(month) or 0), int(paid.get(month) or 0)]
        for month in first.until(last)
    ]

    cases = Table("dossiers-by-procedure", _l("Dossiers by procedure"), [
        ("procedure", _l("Procedure")), ("received", _l("Received in 12 months")),
        ("decided", _l("Decided among them")), ("decided_in_time", _l("Decided in time")),
        ("share_in_time", _l("Share decided in time (%)")), ("open", _l("Still open")),
        ("overdue", _l("Open past due")),
    ])  # fmt: skip
    for row in reader().execute(
        select(
            CaseCount.procedure_code,
            func.sum(CaseCount.received),
            func.sum(CaseCount.decided),
            func.sum(CaseCount.decided_in_time),
            func.sum(CaseCount.open),
            func.sum(CaseCount.overdue),
        )  # fmt: skip
        .where(_in(CaseCount, scope))
        .group_by(CaseCount.procedure_code)
        .order_by(CaseCount.procedure_code)
    ):
        code, received, decided, in_time, open_, overdue = row
        share = round(100 * in_time / decided) if decided else None
        cases.rows.append([code, received, decided, in_time, share, open_, overdue])

    figures = (
        reader()
        .execute(
            select(
                func.coalesce(func.sum(CommuneFigures.complaints_open), 0),
                func.coalesce(func.sum(CommuneFigures.complaints_overdue), 0),
                func.coalesce(func.sum(CommuneFigures.overpayments), 0),
                func.coalesce(func.sum(CommuneFigures.overpayment_amount), 0),
            ).where(_in(CommuneFigures, scope))
        )
        .one()
    )
    return Dashboard(
        scope=scope,
        refreshed_at=refresh.refreshed_at if refresh else None,
        as_of=refresh.as_of if refresh else None,
        by_category=by_category, by_commune=by_commune, paid_by_month=paid_by_month,
        cases=cases, suspended=sum(row[2] for row in by_category.rows),
        complaints_open=int(figures[0]), complaints_overdue=int(figures[1]),
        overpayments=int(figures[2]), overpayment_amount=int(figures[3]),
    )  # fmt: skip
