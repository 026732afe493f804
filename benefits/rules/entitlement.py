"""The one entitlement definition, in Python (domain.md section 3; ND20 Art 5, 6, 8).

For a person and a month it gives the categories that give an entitlement, the
coefficient (highest only, with the single-parent exception), the standard level and
the amount; in a month the person also receives the social pension (Decree 176/2025),
the amount is due only when the allowance is the higher of the two. The same rules exist
as set-based SQL in ``entitlement_sql.py``; a property-based test proves the two agree.

Age is counted in whole months: the age *in* a month is the age reached by its end, so a
level that changes with age changes from the birthday month (ND20 Art 8.1), and an
eligibility that ends at an age stops from the month *after* the birthday month (Art 8.2).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from benefits.i18n import format_month
from benefits.month import Month
from benefits.rules.models import (
    CareGroupCategory,
    CareSupportRule,
    Category,
    CoefficientRule,
    SocialPensionLevel,
    StandardLevel,
)

# ND20 Art 6.2: the single-parent coefficient is paid on top of the highest of these.
ADDABLE_TO_SINGLE_PARENT = frozenset({"ELDERLY", "DISABILITY", "HIV"})
SINGLE_PARENT_GROUP = "SINGLE_PARENT"


def age_in_month(date_of_birth: date, month: Month) -> int:
    """Whole years reached by the end of ``month`` (the birthday month counts)."""
    return (month.index - Month.of(date_of_birth).index) // 12


@dataclass(frozen=True)
class HeldCategory:
    code: str
    from_month: Month
    to_month: Month | None = None

    def covers(self, month: Month) -> bool:
        return self.from_month <= month and (self.to_month is None or month <= self.to_month)


@dataclass(frozen=True)
class SocialPensionMonths:
    """Months in which the person receives the social pension (Decree 176/2025)."""

    from_month: Month
    to_month: Month | None = None

    def covers(self, month: Month) -> bool:
        return self.from_month <= month and (self.to_month is None or month <= self.to_month)


@dataclass(frozen=True)
class EntitlementInput:
    """What the rules need to know of a beneficiary (plain data, no database)."""

    date_of_birth: date
    province_code: str | None
    effective_month: Month
    categories: tuple[HeldCategory, ...]
    dependent_children: int = 0
    last_entitled_month: Month | None = None
    social_pension: tuple[SocialPensionMonths, ...] = ()

    @classmethod
    def of(cls, beneficiary) -> EntitlementInput:
        """From a ``registry.models.Beneficiary`` (its person, commune, categories and the
        months it receives the social pension)."""
        from benefits.extensions import db
        from benefits.places.models import Commune

        commune = db.session.get(Commune, beneficiary.commune_code)
        return cls(
            date_of_birth=beneficiary.person.date_of_birth,
            province_code=commune.province_code if commune else None,
            effective_month=beneficiary.effective_month,
            last_entitled_month=beneficiary.last_entitled_month,
            dependent_children=beneficiary.dependent_children,
            categories=tuple(
                HeldCategory(c.category_code, c.from_month, c.to_month)
                for c in beneficiary.categories
            ),
            social_pension=tuple(
                SocialPensionMonths(p.from_month, p.to_month)
                for p in beneficiary.social_pension_periods
            ),
        )


@dataclass(frozen=True)
class Entitlement:
    """The allowance of a month. ``social_pension`` is the social pension level the person
    receives that month (``None`` when they do not receive it)."""

    month: Month
    category_codes: tuple[str, ...]
    coefficient_pct: int
    standard_level: int
    social_pension: int | None = None

    @property
    def allowance_amount(self) -> int:
        """Standard level × coefficient, before comparing with the social pension."""
        return self.standard_level * self.coefficient_pct // 100

    @property
    def replaced_by_social_pension(self) -> bool:
        """Decree 176/2025: a person entitled to both gets the higher; on equal amounts the
        social pension they already receive is kept (docs/decisions.md)."""
        return self.social_pension is not None and self.allowance_amount <= self.social_pension

    @property
    def amount(self) -> int:
        """What the allowance pays for the month (0 when the social pension replaces it)."""
        return 0 if self.replaced_by_social_pension else self.allowance_amount

    @property
    def is_due(self) -> bool:
        return self.amount > 0

    @property
    def coefficient(self) -> str:
        """``2.5``, ``1.5``, ``3.0``: as printed in payment lists."""
        return format_coefficient(self.coefficient_pct)


def format_coefficient(pct: int) -> str:
    """``250`` → ``2.5``, ``300`` → ``3.0``, ``0`` → ``0`` (interchange.md section 3)."""
    if not pct:
        return "0"
    whole, hundredths = divmod(pct, 100)
    text = f"{whole}.{hundredths:02d}".rstrip("0")
    return text + "0" if text.endswith(".") else text


@dataclass(frozen=True)
class _CategoryRule:
    group: str
    min_age: int | None
    max_age: int | None
    no_new_entrants_from: Month | None
    per_child: bool
    continues_as: str | None = None


@dataclass
class RuleBook:
    """The rule tables read once into memory, for Python-side computations."""

    categories: dict[str, _CategoryRule] = field(default_factory=dict)
    # category -> [(effective_month, min_age, max_age, coefficient_pct)], sorted by month
    coefficients: dict[str, list[tuple[Month, int | None, int | None, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # province_code (None: national) -> [(effective_month, amount)], sorted by month
    standard_levels: dict[str | None, list[tuple[Month, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # the same for the social pension (Decree 176/2025)
    social_pension_levels: dict[str | None, list[tuple[Month, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # care group -> rule code -> [(effective_month, min_age, max_age, coefficient_pct)]
    care_support: dict[str, dict[str, list[tuple[Month, int | None, int | None, int]]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    # care group -> [(category code, effective_month)]: whom the kind of care fits (Art 20)
    care_group_categories: dict[str, list[tuple[str, Month]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    @classmethod
    def load(cls, session: Session) -> RuleBook:
        book = cls()
        for c in session.scalars(select(Category)):
            book.categories[c.code] = _CategoryRule(
                c.group,
                c.min_age,
                c.max_age,
                c.no_new_entrants_from,
                c.per_child,
                c.continues_as,
            )
        for r in session.scalars(select(CoefficientRule).order_by(CoefficientRule.effective_month)):
            book.coefficients[r.category_code].append(
                (r.effective_month, r.min_age, r.max_age, r.coefficient_pct)
            )
        for s in session.scalars(select(StandardLevel).order_by(StandardLevel.effective_month)):
            book.standard_levels[s.province_code].append((s.effective_month, s.amount))
        for p in session.scalars(
            select(SocialPensionLevel).order_by(SocialPensionLevel.effective_month)
        ):
            book.social_pension_levels[p.province_code].append((p.effective_month, p.amount))
        for c in session.scalars(select(CareSupportRule).order_by(CareSupportRule.effective_month)):
            book.care_support[c.care_group][c.code].append(
                (c.effective_month, c.min_age, c.max_age, c.coefficient_pct)
            )
        for g in session.scalars(select(CareGroupCategory)):
            book.care_group_categories[g.care_group].append((g.category_code, g.effective_month))
        return book

    @staticmethod
    def _latest(rows, month: Month):
        """Rows of the latest effective month not after ``month``."""
        in_force = [r for r in rows if r[0] <= month]
        if not in_force:
            return []
        latest = in_force[-1][0]
        return [r for r in in_force if r[0] == latest]

    def standard_level(self, province_code: str | None, month: Month) -> int | None:
        """The higher of the national level and the province's top-up (docs/decisions.md)."""
        return self._higher_level(self.standard_levels, province_code, month)

    def social_pension_level(self, province_code: str | None, month: Month) -> int | None:
        """The social pension in force (Decree 176/2025), national or the province's higher
        level; ``None`` before the first row (the pension starts in 2025-07)."""
        return self._higher_level(self.social_pension_levels, province_code, month)

    def _higher_level(self, table, province_code: str | None, month: Month) -> int | None:
        levels = [
            rows[0][1]
            for rows in (
                self._latest(table.get(None, []), month),
                self._latest(table.get(province_code, []), month) if province_code else [],
            )
            if rows
        ]
        return max(levels) if levels else None

    def coefficient_pct(self, code: str, age: int, month: Month) -> int | None:
        for _, min_age, max_age, pct in self._latest(self.coefficients.get(code, []), month):
            if (min_age is None or age >= min_age) and (max_age is None or age < max_age):
                return pct
        return None

    def holds(self, category: HeldCategory, date_of_birth: date, month: Month) -> bool:
        """The category is known, held in ``month`` and within its ages for the person."""
        return (
            category.code in self.categories
            and category.covers(month)
            and self.in_age_window(category.code, date_of_birth, month)
        )

    def with_continuations(self, categories) -> list[HeldCategory]:
        """The categories held, each followed by the one its holder continues under past
        its ages, over the same months (domain.md section 3: 5.5.b reaching 80 continues
        under 5.5.c from the birthday month, with no new decision and no gap)."""
        found = []
        for category in categories:
            found.append(category)
            rule = self.categories.get(category.code)
            if rule is not None and rule.continues_as:
                found.append(
                    HeldCategory(rule.continues_as, category.from_month, category.to_month)
                )
        return found

    def in_age_window(self, code: str, date_of_birth: date, month: Month) -> bool:
        rule = self.categories[code]
        if rule.min_age is not None and age_in_month(date_of_birth, month) < rule.min_age:
            return False
        # ND20 Art 8.2: ends from the month after the birthday month of max_age.
        return rule.max_age is None or age_in_month(date_of_birth, month - 1) < rule.max_age


@dataclass(frozen=True)
class CareSupportRate:
    """Monthly care support (ND20 Art 20) for a month: the rule row that applies, its
    coefficient and the standard level in force."""

    month: Month
    rule_code: str
    coefficient_pct: int
    standard_level: int

    @property
    def amount(self) -> int:
        return self.standard_level * self.coefficient_pct // 100

    @property
    def coefficient(self) -> str:
        return format_coefficient(self.coefficient_pct)


def care_support_rate(
    care_group: str,
    cared_date_of_birth: date,
    province_code: str | None,
    month: Month,
    rules: RuleBook,
    held: Sequence[HeldCategory],
) -> CareSupportRate | None:
    """The care support of ``care_group`` for a person born on ``cared_date_of_birth`` and
    holding the categories ``held``: none in a month they hold no category the kind of
    care fits, within its ages (Art 20, Art 8.2); else the row of the group whose age
    band holds the age (from the birthday month, Art 8.1), each rule code with its own
    latest effective month; the same as ``care_support_sql``."""
    fitting = {
        code for code, since in rules.care_group_categories.get(care_group, []) if since <= month
    }
    if not any(h.code in fitting and rules.holds(h, cared_date_of_birth, month) for h in held):
        return None
    age = age_in_month(cared_date_of_birth, month)
    for code, rows in sorted(rules.care_support.get(care_group, {}).items()):
        for _, min_age, max_age, pct in rules._latest(rows, month):
            if (min_age is None or age >= min_age) and (max_age is None or age < max_age):
                standard = rules.standard_level(province_code, month)
                if pct <= 0 or standard is None:
                    return None
                return CareSupportRate(month, code, pct, standard)
    return None


def entitlement_for(person: EntitlementInput, month: Month, rules: RuleBook) -> Entitlement | None:
    """The monthly allowance of ``person`` for ``month``, or ``None`` when no category gives
    one. In a month the social pension replaces it, the entitlement still comes back, with
    its categories and coefficient and an ``amount`` of 0 (``is_due`` false), so that a
    page can show why nothing is paid."""
    # ND20 Art 8.1: from the effective month; Art 8.2: not after the last entitled month.
    if month < person.effective_month:
        return None
    if person.last_entitled_month is not None and month > person.last_entitled_month:
        return None
    age = age_in_month(person.date_of_birth, month)
    held: dict[str, int] = {}
    for category in rules.with_continuations(person.categories):
        if not rules.holds(category, person.date_of_birth, month):
            continue
        pct = rules.coefficient_pct(category.code, age, month)
        if pct is None:
            continue
        if rules.categories[category.code].per_child:
            pct *= person.dependent_children  # ND20 Art 6.1.d: per child raised
        if pct > 0:
            held[category.code] = max(pct, held.get(category.code, 0))
    if not held:
        return None
    standard = rules.standard_level(person.province_code, month)
    if standard is None:
        return None
    # Decree 176/2025: a person receiving the social pension gets the higher of the two.
    pension = None
    if any(period.covers(month) for period in person.social_pension):
        pension = rules.social_pension_level(person.province_code, month)
    return Entitlement(
        month, tuple(sorted(held)), combined_coefficient(held, rules), standard, pension
    )


def combined_coefficient(held: dict[str, int], rules: RuleBook) -> int:
    """ND20 Art 6.2: the highest coefficient only, except that the single-parent coefficient
    is paid on top of the highest elderly, disability or HIV coefficient."""
    highest = max(held.values())
    single_parent = max(
        (pct for code, pct in held.items() if rules.categories[code].group == SINGLE_PARENT_GROUP),
        default=0,
    )
    addable = max(
        (
            pct
            for code, pct in held.items()
            if rules.categories[code].group in ADDABLE_TO_SINGLE_PARENT
        ),
        default=0,
    )
    return max(highest, single_parent + addable) if single_parent else highest


def entitlements_between(
    person: EntitlementInput, first: Month, last: Month, rules: RuleBook
) -> list[Entitlement]:
    """Every month from ``first`` to ``last`` with something due (for arrears, pages)."""
    found = (entitlement_for(person, m, rules) for m in first.until(last))
    return [e for e in found if e is not None and e.is_due]


def category_refusal(
    code: str, date_of_birth: date, from_month: Month, rules: RuleBook
) -> str | None:
    """Why a category cannot be granted from ``from_month`` (``None`` when it can).

    Used by the caseload import and by decisions: an unknown category, an age outside the
    category's window (domain.md section 3), or a category closed to new entrants
    (Decree 176/2025: 5.5.b and 5.5.c from 2025-07).
    """
    rule = rules.categories.get(code)
    if rule is None:
        return str(_l("unknown category %(code)s", code=code))
    if rule.no_new_entrants_from is not None and from_month >= rule.no_new_entrants_from:
        return str(
            _l(
                "%(code)s takes no new entrants from %(month)s",
                code=code,
                month=format_month(rule.no_new_entrants_from),
            )
        )
    if not rules.in_age_window(code, date_of_birth, from_month):
        return str(
            _l(
                "%(code)s does not fit the age of %(age)s in %(month)s",
                code=code,
                age=age_in_month(date_of_birth, from_month),
                month=format_month(from_month),
            )
        )
    return None
