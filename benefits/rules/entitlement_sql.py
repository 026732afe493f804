"""The entitlement as set-based SQL, for batch work (payment lists for a whole province).

The same rules as ``entitlement.py`` (a property-based test proves them equal), written
as one SELECT over the rule tables: no legal number appears here. Months are ``YYYYMM``
integers; ages are counted on month indexes (``year * 12 + month - 1``).

``monthly_entitlement_select(pairs)`` takes a selectable of distinct pairs with columns
``(beneficiary_id, month)`` and returns one row per pair **that has something due**
(pairs with nothing due are absent, among them the months in which the social pension
the person receives is at least the allowance, Decree 176/2025), with the columns
``beneficiary_id, month, coefficient_pct, standard_level, amount, category_codes``.
The pairs may carry the person's registry columns themselves (``REGISTRY_COLUMNS``, as
``registry_rows()`` selects them): batch generation reads them once, commune by commune,
instead of joining the whole registry again here.
"""

from __future__ import annotations

from sqlalchemy import Integer, and_, case, exists, func, null, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from benefits.month import month_index_sql
from benefits.people.models import Person
from benefits.places.models import Commune
from benefits.registry.models import Beneficiary, BeneficiaryCategory, SocialPensionPeriod
from benefits.rules.entitlement import ADDABLE_TO_SINGLE_PARENT, SINGLE_PARENT_GROUP
from benefits.rules.models import Category, CoefficientRule, SocialPensionLevel, StandardLevel


class greatest(FunctionElement):  # noqa: N801 - reads as the SQL function it renders
    """``GREATEST(a, b)`` on PostgreSQL, the scalar ``MAX(a, b)`` on SQLite."""

    type = Integer()
    inherit_cache = True


@compiles(greatest)
def _greatest_default(element, compiler, **kw):
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "sqlite")
def _greatest_sqlite(element, compiler, **kw):
    return f"MAX({compiler.process(element.clauses, **kw)})"


class least(FunctionElement):  # noqa: N801 - reads as the SQL function it renders
    """``LEAST(a, b, ...)`` on PostgreSQL, the scalar ``MIN(a, b, ...)`` on SQLite."""

    type = Integer()
    inherit_cache = True


@compiles(least)
def _least_default(element, compiler, **kw):
    return f"LEAST({compiler.process(element.clauses, **kw)})"


@compiles(least, "sqlite")
def _least_sqlite(element, compiler, **kw):
    return f"MIN({compiler.process(element.clauses, **kw)})"


class month_index_of_date(FunctionElement):  # noqa: N801
    """The month index (``year * 12 + month - 1``) of a DATE column."""

    type = Integer()
    inherit_cache = True


@compiles(month_index_of_date)
def _month_index_pg(element, compiler, **kw):
    arg = compiler.process(element.clauses, **kw)
    return (
        f"(CAST(EXTRACT(YEAR FROM {arg}) AS INTEGER) * 12 "
        f"+ CAST(EXTRACT(MONTH FROM {arg}) AS INTEGER) - 1)"
    )


@compiles(month_index_of_date, "sqlite")
def _month_index_sqlite(element, compiler, **kw):
    arg = compiler.process(element.clauses, **kw)
    return (
        f"(CAST(strftime('%Y', {arg}) AS INTEGER) * 12 "
        f"+ CAST(strftime('%m', {arg}) AS INTEGER) - 1)"
    )


class joined_codes(FunctionElement):  # noqa: N801
    """Category codes joined with ``;`` in code order (string_agg / group_concat)."""

    inherit_cache = True


@compiles(joined_codes)
def _joined_codes_pg(element, compiler, **kw):
    arg = compiler.process(element.clauses, **kw)
    return f"string_agg({arg}, ';' ORDER BY {arg})"


@compiles(joined_codes, "sqlite")
def _joined_codes_sqlite(element, compiler, **kw):
    # SQLite 3.40 has no ORDER BY inside aggregates: the input is ordered by code below.
    return f"group_concat({compiler.process(element.clauses, **kw)}, ';')"


class joined_distinct_codes(FunctionElement):  # noqa: N801
    """``joined_codes`` counting each code once: a category held and also reached as
    another's continuation (``held_categories``) is listed once."""

    inherit_cache = True


@compiles(joined_distinct_codes)
def _joined_distinct_codes_pg(element, compiler, **kw):
    arg = compiler.process(element.clauses, **kw)
    return f"string_agg(DISTINCT {arg}, ';' ORDER BY {arg})"


@compiles(joined_distinct_codes, "sqlite")
def _joined_distinct_codes_sqlite(element, compiler, **kw):
    # SQLite's DISTINCT aggregate takes no separator; category codes hold no comma.
    arg = compiler.process(element.clauses, **kw)
    return f"replace(group_concat(DISTINCT {arg}), ',', ';')"


def _in_period(period, month: ColumnElement) -> ColumnElement:
    return and_(
        period.c.valid_from <= month, or_(period.c.valid_to.is_(None), month < period.c.valid_to)
    )


def _in_age_band(rule, age: ColumnElement) -> ColumnElement:
    """``min_age`` inclusive, ``max_age`` exclusive, NULL for no bound (the rule tables)."""
    return and_(
        or_(rule.c.min_age.is_(None), age >= rule.c.min_age),
        or_(rule.c.max_age.is_(None), age < rule.c.max_age),
    )


REGISTRY_COLUMNS = (
    "province_code", "birth_idx", "dependent_children", "effective_month",
    "last_entitled_month",
)  # fmt: skip


def registry_rows():
    """What the entitlement reads of a beneficiary, one row each, keyed ``beneficiary_id``."""
    return (
        select(
            Beneficiary.id.label("beneficiary_id"),
            Commune.province_code,
            # The birth month as a month index, computed once per person (not once per
            # rule row the age is compared with).
            month_index_of_date(Person.date_of_birth).label("birth_idx"),
            Beneficiary.dependent_children,
            Beneficiary.effective_month,
            Beneficiary.last_entitled_month,
        )
        .join(Person, Person.id == Beneficiary.person_id)
        .join(Commune, Commune.code == Beneficiary.commune_code)
    )


def in_category_ages(month_idx, birth_idx):
    """A ``Category``'s age window in the month of index ``month_idx`` for a person born
    in the month of index ``birth_idx``: from the birthday month of ``min_age``; until the
    birthday month of ``max_age`` inclusive (ND20 Art 8.2: stop from the month after)."""
    age = (month_idx - birth_idx) // 12
    age_before = (month_idx - 1 - birth_idx) // 12
    return and_(
        or_(Category.min_age.is_(None), age >= Category.min_age),
        or_(Category.max_age.is_(None), age_before < Category.max_age),
    )


def held_categories():
    """The categories each beneficiary holds (``beneficiary_id, category_code, from_month,
    to_month``), and for each one with a ``continues_as`` that category over the same
    months: its ages (``in_category_ages``) then decide which applies in a month."""
    own = select(
        BeneficiaryCategory.beneficiary_id,
        BeneficiaryCategory.category_code,
        BeneficiaryCategory.from_month,
        BeneficiaryCategory.to_month,
    )
    continued = (
        select(
            BeneficiaryCategory.beneficiary_id,
            Category.continues_as.label("category_code"),
            BeneficiaryCategory.from_month,
            BeneficiaryCategory.to_month,
        )
        .join(Category, Category.code == BeneficiaryCategory.category_code)
        .where(Category.continues_as.is_not(None))
    )
    return union_all(own, continued)


def monthly_entitlement_select(pairs):
    """Entitlements for the (beneficiary_id, month) pairs of ``pairs`` (see module doc)."""
    pairs = pairs.subquery() if hasattr(pairs, "subquery") else pairs
    if all(name in pairs.c for name in REGISTRY_COLUMNS):
        person, people = pairs, pairs
    else:
        person = registry_rows().subquery("registry")
        people = pairs.join(person, person.c.beneficiary_id == pairs.c.beneficiary_id)
    month = pairs.c.month
    month_idx = month_index_sql(month)
    birth_idx = person.c.birth_idx
    age = (month_idx - birth_idx) // 12

    # A row's period ends at the next effective month of any row of the same category,
    # as in Python (the bands of the latest effective month replace all earlier ones).
    coefficient_periods = _category_periods().subquery("coefficient_periods")

    # A held category, and the one its holder continues under past its ages over the same
    # months (5.5.b reaching 80 continues under 5.5.c with no gap, domain.md section 3).
    held_codes = held_categories().subquery("held_categories")
    held = (
        select(
            pairs.c.beneficiary_id,
            month.label("month"),
            # The province is carried through the grouping: joined after it, on a row
            # estimate the planner cannot make, it led to a nested loop over every commune.
            person.c.province_code,
            held_codes.c.category_code,
            Category.group,
            (
                coefficient_periods.c.coefficient_pct
                * case((Category.per_child, person.c.dependent_children), else_=1)
            ).label("pct"),
        )
        .select_from(people)
        .join(held_codes, held_codes.c.beneficiary_id == pairs.c.beneficiary_id)
        .join(Category, Category.code == held_codes.c.category_code)
        .join(
            coefficient_periods,
            and_(
                coefficient_periods.c.category_code == held_codes.c.category_code,
                _in_period(coefficient_periods, month),
                _in_age_band(coefficient_periods, age),
            ),
        )
        .where(
            # ND20 Art 8.1 / 8.2: from the effective month, up to the last entitled month.
            month >= person.c.effective_month,
            or_(person.c.last_entitled_month.is_(None), month <= person.c.last_entitled_month),
            held_codes.c.from_month <= month,
            or_(held_codes.c.to_month.is_(None), month <= held_codes.c.to_month),
            in_category_ages(month_idx, birth_idx),
        )
        .order_by(held_codes.c.category_code)
        .subquery("held")
    )
    positive = held.c.pct > 0
    per_person = (
        select(
            held.c.beneficiary_id,
            held.c.month,
            held.c.province_code,
            func.max(held.c.pct).label("highest"),
            func.max(case((held.c.group.in_(sorted(ADDABLE_TO_SINGLE_PARENT)), held.c.pct))).label(
                "addable"
            ),
            func.max(case((held.c.group == SINGLE_PARENT_GROUP, held.c.pct))).label(
                "single_parent"
            ),
            joined_distinct_codes(held.c.category_code).label("category_codes"),
        )
        .where(positive)
        .group_by(held.c.beneficiary_id, held.c.month, held.c.province_code)
        .subquery("per_person")
    )
    # ND20 Art 6.2: highest only, single parent on top of elderly/disability/HIV.
    coefficient = case(
        (
            per_person.c.single_parent.is_not(None),
            greatest(
                per_person.c.highest,
                per_person.c.single_parent + func.coalesce(per_person.c.addable, 0),
            ),
        ),
        else_=per_person.c.highest,
    )

    national = _level_periods(StandardLevel, national_only=True).subquery("national_level")
    provincial = _level_periods(StandardLevel, national_only=False).subquery("provincial_level")
    standard = greatest(national.c.amount, func.coalesce(provincial.c.amount, 0))
    allowance = standard * coefficient // 100

    # Decree 176/2025: in a month the person receives the social pension, the allowance is
    # paid only when it is higher than the pension level in force (equal: the pension).
    national_pension = _level_periods(SocialPensionLevel, national_only=True).subquery(
        "national_pension"
    )
    provincial_pension = _level_periods(SocialPensionLevel, national_only=False).subquery(
        "provincial_pension"
    )
    pension_level = case(
        (
            and_(national_pension.c.amount.is_(None), provincial_pension.c.amount.is_(None)),
            null(),
        ),
        else_=greatest(
            func.coalesce(national_pension.c.amount, 0),
            func.coalesce(provincial_pension.c.amount, 0),
        ),
    )
    receives_pension = exists().where(
        SocialPensionPeriod.beneficiary_id == per_person.c.beneficiary_id,
        SocialPensionPeriod.from_month <= per_person.c.month,
        or_(
            SocialPensionPeriod.to_month.is_(None),
            per_person.c.month <= SocialPensionPeriod.to_month,
        ),
    )

    return (
        select(
            per_person.c.beneficiary_id,
            per_person.c.month,
            coefficient.label("coefficient_pct"),
            standard.label("standard_level"),
            allowance.label("amount"),
            per_person.c.category_codes,
        )
        .select_from(per_person)
        .join(national, _in_period(national, per_person.c.month))
        .outerjoin(
            provincial,
            and_(
                provincial.c.province_code == per_person.c.province_code,
                _in_period(provincial, per_person.c.month),
            ),
        )
        .outerjoin(national_pension, _in_period(national_pension, per_person.c.month))
        .outerjoin(
            provincial_pension,
            and_(
                provincial_pension.c.province_code == per_person.c.province_code,
                _in_period(provincial_pension, per_person.c.month),
            ),
        )
        .where(or_(pension_level.is_(None), allowance > pension_level, ~receives_pension))
    )


def _category_periods():
    """Coefficient rows with ``valid_to``: the next effective month of the same category
    (computed once per rule row with a window function, not once per person). The age
    bands of one category share an effective month, hence the distinct months first."""
    months = (
        select(CoefficientRule.category_code, CoefficientRule.effective_month)
        .distinct()
        .subquery("category_months")
    )
    periods = select(
        months.c.category_code,
        months.c.effective_month,
        func.lead(months.c.effective_month)
        .over(partition_by=months.c.category_code, order_by=months.c.effective_month)
        .label("valid_to"),
    ).subquery("category_month_periods")
    return select(
        CoefficientRule.category_code,
        CoefficientRule.min_age,
        CoefficientRule.max_age,
        CoefficientRule.coefficient_pct,
        CoefficientRule.effective_month.label("valid_from"),
        periods.c.valid_to,
    ).join(
        periods,
        and_(
            periods.c.category_code == CoefficientRule.category_code,
            periods.c.effective_month == CoefficientRule.effective_month,
        ),
    )


def _level_periods(table: type[StandardLevel] | type[SocialPensionLevel], national_only: bool):
    """National or provincial levels (standard level, social pension) with ``valid_to``
    (the next row of the same scope), computed once per row with a window function."""
    next_month = func.lead(table.effective_month).over(
        partition_by=table.province_code, order_by=table.effective_month
    )
    scope = table.province_code.is_(None) if national_only else table.province_code.is_not(None)
    return select(
        table.province_code,
        table.amount,
        table.effective_month.label("valid_from"),
        next_month.label("valid_to"),
    ).where(scope)
