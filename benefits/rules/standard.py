"""The standard level (mức chuẩn) in force, one-off amounts derived from it, and the
social pension level (mức trợ cấp hưu trí xã hội)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from benefits.errors import DomainError
from benefits.extensions import db
from benefits.month import Month
from benefits.rules.models import OneOffRule, SocialPensionLevel, StandardLevel


class NoRuleInForce(DomainError):
    """No rule row covers the date asked for: the rule tables need a row."""


def standard_level_for(province_code: str | None, month: Month) -> int:
    """The standard level for a province in a month.

    The latest national row and the latest row of the province, both effective by
    ``month``; a province may only set a *higher* level (Decree 76/2024 Art 4.2, ND20 Art
    4.3), so the higher of the two applies.
    """
    level = _higher_level(StandardLevel, province_code, month)
    if level is None:
        raise NoRuleInForce(f"no standard level in force in {month}")
    return level


def social_pension_level_for(province_code: str | None, month: Month) -> int | None:
    """The social pension level in force (Decree 176/2025/NĐ-CP: 500,000 VND from 2025-07),
    the higher of the national and the province's level; ``None`` before it existed."""
    return _higher_level(SocialPensionLevel, province_code, month)


def _higher_level(table, province_code: str | None, month: Month) -> int | None:
    """The higher of the latest national row and the latest row of the province."""
    national = db.session.scalar(
        select(table.amount)
        .where(table.province_code.is_(None), table.effective_month <= month)
        .order_by(table.effective_month.desc())
        .limit(1)
    )
    provincial = None
    if province_code:
        provincial = db.session.scalar(
            select(table.amount)
            .where(table.province_code == province_code, table.effective_month <= month)
            .order_by(table.effective_month.desc())
            .limit(1)
        )
    levels = [amount for amount in (national, provincial) if amount is not None]
    return max(levels) if levels else None


def one_off_amount(kind: str, province_code: str | None, on_date: date) -> int:
    """A one-off support amount in whole VND on a date (e.g. ``FUNERAL``: 20 × the standard
    level in force on the date of death, ND20 Art 11)."""
    month = Month.of(on_date)
    rule = db.session.scalars(
        select(OneOffRule)
        .where(OneOffRule.code == kind, OneOffRule.effective_month <= month)
        .order_by(OneOffRule.effective_month.desc())
        .limit(1)
    ).first()
    if rule is None:
        raise NoRuleInForce(f"no one-off rule {kind} in force on {on_date}")
    if rule.fixed_amount is not None:
        return rule.fixed_amount
    return standard_level_for(province_code, month) * rule.multiple_pct // 100
