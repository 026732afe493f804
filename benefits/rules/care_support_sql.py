"""Monthly care support (hỗ trợ kinh phí chăm sóc, nuôi dưỡng, ND20 Art 20) as set-based SQL.

Amount = the standard level in force that month (the higher of the national and the
provincial level, as for the allowance) × the coefficient of the care-support rule of the
record's group whose age band holds the age of the person cared for. The age changes the
row from the month of the birthday (ND20 Art 8.1), as for the allowance. A month is due
only while the person cared for holds a category the kind of care fits (ND20 Art 20,
``care_group_categories``): a care record outlives no category it was granted for.
"""

from __future__ import annotations

from sqlalchemy import and_, exists, func, or_, select

from benefits.month import month_index_sql
from benefits.people.models import Person
from benefits.places.models import Commune
from benefits.registry.models import Beneficiary, BeneficiaryCategory, CareSupport
from benefits.rules.entitlement_sql import (
    _in_age_band,
    _in_period,
    _level_periods,
    greatest,
    in_category_ages,
    month_index_of_date,
)
from benefits.rules.models import CareGroupCategory, CareSupportRule, Category, StandardLevel


def _care_rule_periods():
    """Care-support rows with ``valid_to``: the next effective month of the same code."""
    next_month = func.lead(CareSupportRule.effective_month).over(
        partition_by=CareSupportRule.code, order_by=CareSupportRule.effective_month
    )
    return select(
        CareSupportRule.code,
        CareSupportRule.care_group,
        CareSupportRule.min_age,
        CareSupportRule.max_age,
        CareSupportRule.coefficient_pct,
        CareSupportRule.effective_month.label("valid_from"),
        next_month.label("valid_to"),
    )


def _holds_a_fitting_category(month):
    """ND20 Art 20: in ``month`` the person cared for holds a category of the record's
    kind of care (a 5.1 child, a 5.5.d elderly person, a person with extremely severe
    disability...), within its ages as for the allowance (a 5.1 child until the month of
    the 16th birthday, Art 8.2). A category ended later (a review, a child turning 16)
    ends the care months with it, whatever the record's own last month says."""
    return exists().where(
        BeneficiaryCategory.beneficiary_id == CareSupport.beneficiary_id,
        Category.code == BeneficiaryCategory.category_code,
        in_category_ages(month_index_sql(month), month_index_of_date(Person.date_of_birth)),
        BeneficiaryCategory.from_month <= month,
        or_(BeneficiaryCategory.to_month.is_(None), month <= BeneficiaryCategory.to_month),
        CareGroupCategory.category_code == BeneficiaryCategory.category_code,
        CareGroupCategory.care_group == CareSupport.care_group,
        CareGroupCategory.effective_month <= month,
    )


def care_support_select(pairs):
    """Care support due for the ``(care_support_id, month)`` pairs of ``pairs``: one row per
    pair with ``care_support_id, beneficiary_id, month, coefficient_pct, standard_level,
    amount, rule_code``."""
    pairs = pairs.subquery() if hasattr(pairs, "subquery") else pairs
    month = pairs.c.month
    age = (month_index_sql(month) - month_index_of_date(Person.date_of_birth)) // 12
    rules = _care_rule_periods().subquery("care_rule_periods")
    national = _level_periods(StandardLevel, national_only=True).subquery("national_level")
    provincial = _level_periods(StandardLevel, national_only=False).subquery("provincial_level")
    standard = greatest(national.c.amount, func.coalesce(provincial.c.amount, 0))
    return (
        select(
            CareSupport.id.label("care_support_id"),
            CareSupport.beneficiary_id,
            month.label("month"),
            rules.c.coefficient_pct,
            standard.label("standard_level"),
            (standard * rules.c.coefficient_pct // 100).label("amount"),
            rules.c.code.label("rule_code"),
        )
        .select_from(pairs)
        .join(CareSupport, CareSupport.id == pairs.c.care_support_id)
        .join(Beneficiary, Beneficiary.id == CareSupport.beneficiary_id)
        .join(Person, Person.id == Beneficiary.person_id)
        .join(Commune, Commune.code == Beneficiary.commune_code)
        .join(
            rules,
            and_(
                rules.c.care_group == CareSupport.care_group,
                _in_period(rules, month),
                _in_age_band(rules, age),
            ),
        )
        .join(national, _in_period(national, month))
        .outerjoin(
            provincial,
            and_(
                provincial.c.province_code == Commune.province_code,
                _in_period(provincial, month),
            ),
        )
        .where(rules.c.coefficient_pct > 0, _holds_a_fitting_category(month))
    )
