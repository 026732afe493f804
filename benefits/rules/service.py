"""Changing the rule tables: history is never edited in place, a change is a new row."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from benefits.accounts.audit import Actor, record_audit
from benefits.errors import DomainError
from benefits.extensions import db
from benefits.month import Month
from benefits.rules.models import StandardLevel
from benefits.rules.standard import standard_level_for


def add_standard_level(
    province_code: str,
    effective_month: Month,
    amount: int,
    legal_basis: str,
    actor: Actor,
    this_month: Month,
) -> StandardLevel:
    """A province's top-up of the standard level from a month (ND20 Art 4.3: a province
    may set a higher level). Months already past are never changed."""
    if effective_month < this_month:
        raise DomainError(_l("A level can only start this month or later."), field="month")
    if amount <= standard_level_for(None, effective_month):
        raise DomainError(
            _l("A province's level must be higher than the national level."), field="amount"
        )
    exists = db.session.scalar(
        select(StandardLevel.id).where(
            StandardLevel.province_code == province_code,
            StandardLevel.effective_month == effective_month,
        )
    )
    if exists:
        raise DomainError(_l("The province already has a level from this month."), field="month")
    row = StandardLevel(
        province_code=province_code,
        effective_month=effective_month,
        amount=amount,
        legal_basis=legal_basis.strip(),
    )
    db.session.add(row)
    db.session.flush()
    record_audit(
        actor,
        "rules.standard_level_added",
        "standard_level",
        row.id,
        {"province": province_code, "month": effective_month, "amount": amount},
    )
    return row
