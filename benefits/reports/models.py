"""Summary tables of the dashboards (performance: a dashboard never scans the payment
lines or the registry per request; decision 112). Each is a set of counts per commune,
rewritten set-based by ``reports.summaries``: the money paid when a batch is reconciled
(in the same transaction), the rest by the refresh job (``flask --app wsgi reports
refresh``, run by cron, or asked for from the dashboard)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from benefits.extensions import db
from benefits.models_base import utcnow
from benefits.month import Month, MonthType


class PaidByMonth(db.Model):
    """What the batch of a month paid in a commune, per kind of payment: the lines
    reported paid and their money (the post office's result, not what was due)."""

    __tablename__ = "report_paid_by_month"

    month: Mapped[Month] = mapped_column(MonthType, primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    batch_id: Mapped[int]
    lines: Mapped[int]
    paid_lines: Mapped[int]
    paid_amount: Mapped[int] = mapped_column(BigInteger)


class BeneficiaryCount(db.Model):
    """Beneficiaries of a commune by category and status, each counted once under one
    category (the one ending last, then by article: as the report forms, decision 111)."""

    __tablename__ = "report_beneficiary_counts"

    commune_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    category_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[str] = mapped_column(String(12), primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    people: Mapped[int]


class CaseCount(db.Model):
    """Dossiers of a commune by procedure: received in the 12 months up to ``as_of``,
    decided among them, decided within their deadline, open now and open past due."""

    __tablename__ = "report_case_counts"

    commune_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    procedure_code: Mapped[str] = mapped_column(String(30), primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    received: Mapped[int]
    decided: Mapped[int]
    decided_in_time: Mapped[int]
    open: Mapped[int]
    overdue: Mapped[int]


class CommuneFigures(db.Model):
    """A commune's single figures: complaints waiting past their 10 working days,
    overpayments still to recover."""

    __tablename__ = "report_commune_figures"

    commune_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    complaints_open: Mapped[int]
    complaints_overdue: Mapped[int]
    overpayments: Mapped[int]
    overpayment_amount: Mapped[int] = mapped_column(BigInteger)


class SummaryRefresh(db.Model):
    """When a province's summaries were last computed, and for which day."""

    __tablename__ = "report_refreshes"

    province_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    refreshed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
