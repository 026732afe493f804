"""The standard level (mức chuẩn) in force, and one-off amounts derived from it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import null, select

from benefits.errors import DomainError
from benefits.extensions import db
from benefits.month import Month
from benefits.rules.models import OneOffRule, StandardLevel


class NoRuleInForce(DomainError):
    """No rule row covers the date asked for: the rule tables need a row."""


def _latest_level(province_code: str | None, month: Month):
    """The amount of the latest row effective by ``month``: national (``None``) or of a
    province; a scalar subquery, so that one statement reads both."""
    scope = (
        StandardLevel.province_code.is_(None)
        if province_code is None
        else StandardLevel.province_code == province_code
    )
    return (
        select(StandardLevel.amount)
        .where(scope, StandardLevel.effective_month <= month)
        .order_by(StandardLevel.effective_month.desc())
        .limit(1)
        .scalar_subquery()
    )


def _levels(province_code: str | None, month: Month) -> tuple:
    national = _latest_level(None, month).label("national")
    if not province_code:
        return (national, null().label("provincial"))
    return (national, _latest_level(province_code, month).label("provincial"))


def _higher(national: int | None, provincial: int | None, month: Month) -> int:
    levels = [amount for amount in (national, provincial) if amount is not None]
    if not levels:
        raise NoRuleInForce(f"no standard level in force in {month}")
    return max(levels)


def standard_level_for(province_code: str | None, month: Month) -> int:
    """The standard level for a province in a month.

    The latest national row and the latest row of the province, both effective by
    ``month``; a province may only set a *higher* level (Decree 76/2024 Art 4.2, ND20 Art
    4.3), so the higher of the two applies.
    """
    national, provincial = db.session.execute(select(*_levels(province_code, month))).one()
    return _higher(national, provincial, month)


def one_off_amount(kind: str, province_code: str | None, on_date: date) -> int:
    """A one-off support amount in whole VND on a date (e.g. ``FUNERAL``: 20 × the standard
    level in force on the date of death, ND20 Art 11). The rule and the standard levels are
    read in one statement."""
    month = Month.of(on_date)
    rule = db.session.execute(
        select(OneOffRule.fixed_amount, OneOffRule.multiple_pct, *_levels(province_code, month))
        .where(OneOffRule.code == kind, OneOffRule.effective_month <= month)
        .order_by(OneOffRule.effective_month.desc())
        .limit(1)
    ).first()
    if rule is None:
        raise NoRuleInForce(f"no one-off rule {kind} in force on {on_date}")
    if rule.fixed_amount is not None:
        return rule.fixed_amount
    return _higher(rule.national, rule.provincial, month) * rule.multiple_pct // 100
