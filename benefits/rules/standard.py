"""The standard level (mức chuẩn) in force, one-off amounts derived from it, and the
social pension level (mức trợ cấp hưu trí xã hội)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, select

from benefits.errors import DomainError
from benefits.extensions import db
from benefits.month import Month
from benefits.rules.models import OneOffRule, SocialPensionLevel, StandardLevel


class NoRuleInForce(DomainError):
    """No rule row covers the date asked for: the rule tables need a row."""


def _latest_level(table, national: bool):
    """The amount of the latest national (or ``:province``) row of ``table`` effective by
    the month ``:month``."""
    scope = (
        table.province_code.is_(None) if national else table.province_code == bindparam("province")
    )
    return (
        select(table.amount)
        .where(scope, table.effective_month <= bindparam("month"))
        .order_by(table.effective_month.desc())
        .limit(1)
        .scalar_subquery()
    )


# Both levels in one statement; ``:province`` NULL matches no provincial row. Built once.
_NATIONAL = _latest_level(StandardLevel, national=True).label("national")
_PROVINCIAL = _latest_level(StandardLevel, national=False).label("provincial")
_STANDARD_LEVELS = select(_NATIONAL, _PROVINCIAL)
_PENSION_LEVELS = select(
    _latest_level(SocialPensionLevel, national=True).label("national"),
    _latest_level(SocialPensionLevel, national=False).label("provincial"),
)
_ONE_OFF = (
    select(OneOffRule.fixed_amount, OneOffRule.multiple_pct, _NATIONAL, _PROVINCIAL)
    .where(OneOffRule.code == bindparam("kind"), OneOffRule.effective_month <= bindparam("month"))
    .order_by(OneOffRule.effective_month.desc())
    .limit(1)
)


def _higher_of(national: int | None, provincial: int | None) -> int | None:
    """A province may only set a higher level: the higher of the two rows in force."""
    levels = [amount for amount in (national, provincial) if amount is not None]
    return max(levels) if levels else None


def _higher(national: int | None, provincial: int | None, month: Month) -> int:
    level = _higher_of(national, provincial)
    if level is None:
        raise NoRuleInForce(f"no standard level in force in {month}")
    return level


def standard_level_for(province_code: str | None, month: Month) -> int:
    """The standard level for a province in a month.

    The latest national row and the latest row of the province, both effective by
    ``month``; a province may only set a *higher* level (Decree 76/2024 Art 4.2, ND20 Art
    4.3), so the higher of the two applies.
    """
    national, provincial = db.session.execute(
        _STANDARD_LEVELS, {"month": month, "province": province_code or None}
    ).one()
    return _higher(national, provincial, month)


def social_pension_level_for(province_code: str | None, month: Month) -> int | None:
    """The social pension level in force (Decree 176/2025/NĐ-CP: 500,000 VND from 2025-07),
    the higher of the national and the province's level; ``None`` before it existed."""
    national, provincial = db.session.execute(
        _PENSION_LEVELS, {"month": month, "province": province_code or None}
    ).one()
    return _higher_of(national, provincial)


def one_off_amount(kind: str, province_code: str | None, on_date: date) -> int:
    """A one-off support amount in whole VND on a date (e.g. ``FUNERAL``: 20 × the standard
    level in force on the date of death, ND20 Art 11). The rule and the standard levels are
    read in one statement."""
    month = Month.of(on_date)
    rule = db.session.execute(
        _ONE_OFF, {"kind": kind, "month": month, "province": province_code or None}
    ).first()
    if rule is None:
        raise NoRuleInForce(f"no one-off rule {kind} in force on {on_date}")
    if rule.fixed_amount is not None:
        return rule.fixed_amount
    return _higher(rule.national, rule.provincial, month) * rule.multiple_pct // 100


def funeral_amount_or_none(province_code: str | None, date_of_death: date) -> int | None:
    """Funeral support (ND20 Art 11; Decree 136/2013 Art 11 before 2021-07): 20 × the
    standard level in force on the date of death, or ``None`` when no rule covers that
    date (before 2014-01). The caller opens the case without an amount and flags it for
    the officer (domain.md section 4): a missing rule is never a server error."""
    try:
        return one_off_amount("FUNERAL", province_code, date_of_death)
    except NoRuleInForce:
        return None
