"""The figures of the half-year report forms 10a to 10d (TT02 Art 6; domain.md section
8), computed set-based in SQL from what was actually paid: the lines the post office
reported paid (``payment_lines.status = 'paid'``) of the batches of the half-year's
months, in the commune or province (decision 111).

- **10a** regular assistance (trợ giúp xã hội thường xuyên): the monthly allowance by
  category, and the care support (Art 20) by kind of care; people by sex and age group,
  money paid.
- **10b** ad-hoc assistance (trợ giúp xã hội đột xuất): one-off support, cases and money by
  procedure (funeral, emergency funeral, housing, ...).
- **10c** the elderly (người cao tuổi): allowance beneficiaries aged 60 or more, by category.
- **10d** people with disabilities (người khuyết tật), by level.

A person counts once per row, under one category: the one they held in the half-year
(the latest, then the first in the law's order of articles). Ages are those reached by
the end of the half-year's last month.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, literal, or_, select

from benefits.cases.models import Case
from benefits.payments.models import PaymentBatch, PaymentLine
from benefits.people.models import Person
from benefits.places.models import Commune
from benefits.registry.models import Beneficiary, BeneficiaryCategory, CareSupport
from benefits.reports.half_year import HalfYear
from benefits.reports.health_insurance import Scope
from benefits.reports.reading import reader
from benefits.rules.entitlement_sql import month_index_of_date
from benefits.rules.models import CareSupportRule, Category

ALLOWANCE, CARE_SUPPORT = "ALLOWANCE", "CARE_SUPPORT"
ONE_OFF_KINDS = ("FUNERAL", "ONE_OFF")
ELDERLY_GROUP, DISABILITY_GROUP = "ELDERLY", "DISABILITY"
# The levels of disability, most severe first (Law 51/2010 Art 3): a person holding both
# categories is counted at the more severe.
DISABILITY_LEVELS = ("DISABLED_EXTREMELY_SEVERE", "DISABLED_SEVERE")
# Age groups of the forms: (label key, from age inclusive, to age exclusive).
AGE_GROUPS_10A = (("under_16", None, 16), ("16_to_59", 16, 60), ("60_to_79", 60, 80),
                  ("80_and_over", 80, None))  # fmt: skip
AGE_GROUPS_10C = (("60_to_79", 60, 80), ("80_and_over", 80, None))
AGE_GROUPS_10D = (("under_16", None, 16), ("16_to_59", 16, 60), ("60_and_over", 60, None))


@dataclass
class Row:
    """One row of a form: what it counts (a category, a kind of care, a procedure, a
    commune), the people or cases, of them women, by age group, and the money paid."""

    code: str
    people: int = 0
    women: int = 0
    ages: dict[str, int] = field(default_factory=dict)
    amount: int = 0
    # 10d: the care support paid for them, apart from their allowance.
    care_amount: int = 0


@dataclass
class Forms:
    half: HalfYear
    scope: Scope
    allowance: list[Row]  # 10a, by category
    care: list[Row]  # 10a, by kind of care
    one_off: list[Row]  # 10b, by procedure
    elderly: list[Row]  # 10c, by category
    disability: list[Row]  # 10d, by level
    communes: list[Row]  # the province's form: money paid by commune

    @property
    def regular_total(self) -> int:
        return sum(r.amount for r in self.allowance) + sum(r.amount for r in self.care)

    @property
    def one_off_total(self) -> int:
        return sum(r.amount for r in self.one_off)


def paid_lines(half: HalfYear, scope: Scope):
    """The lines reported paid of the batches of the half-year, in the scope."""
    return (
        select(
            PaymentLine.id,
            PaymentLine.kind,
            PaymentLine.beneficiary_id,
            PaymentLine.case_id,
            PaymentLine.care_support_id,
            PaymentLine.commune_code,
            PaymentLine.total_amount,
        )  # fmt: skip
        .join(PaymentBatch, PaymentBatch.id == PaymentLine.batch_id)
        .where(
            PaymentBatch.month >= half.first,
            PaymentBatch.month <= half.last,
            PaymentLine.status == "paid",
            scope.where(PaymentLine.commune_code, PaymentLine.province_code),
        )
        .subquery("paid")
    )


def _principal_category(half: HalfYear, beneficiaries):
    """One category per beneficiary of ``beneficiaries`` (a subquery with a
    ``beneficiary_id`` column): the one held in the half-year, the latest, then by
    article; for a beneficiary paid only arrears of earlier months, the last held."""
    overlaps = and_(
        BeneficiaryCategory.from_month <= half.last,
        or_(BeneficiaryCategory.to_month.is_(None), BeneficiaryCategory.to_month >= half.first),
    )
    rank = func.row_number().over(
        partition_by=BeneficiaryCategory.beneficiary_id,
        order_by=(
            case((overlaps, 0), else_=1),
            func.coalesce(BeneficiaryCategory.to_month, 999912).desc(),
            BeneficiaryCategory.from_month.desc(),
            Category.article,
            BeneficiaryCategory.category_code,
        ),
    )
    ranked = (
        select(
            BeneficiaryCategory.beneficiary_id,
            BeneficiaryCategory.category_code,
            Category.group,
            rank.label("rank"),
        )
        .join(Category, Category.code == BeneficiaryCategory.category_code)
        .where(BeneficiaryCategory.beneficiary_id.in_(select(beneficiaries.c.beneficiary_id)))
        .subquery("ranked")
    )
    return select(ranked.c.beneficiary_id, ranked.c.category_code, ranked.c.group).where(
        ranked.c.rank == 1
    )


def _age(half: HalfYear):
    return (literal(half.last.index) - month_index_of_date(Person.date_of_birth)) // 12


def _in_band(age, low, high):
    conditions = []
    if low is not None:
        conditions.append(age >= low)
    if high is not None:
        conditions.append(age < high)
    return and_(*conditions)


def _counted(rows, groups) -> list[Row]:
    result = []
    for row in rows:
        counted = Row(code=row.code, people=row.people, women=row.women or 0,
                      amount=int(row.amount or 0),
                      care_amount=int(getattr(row, "care_amount", 0) or 0))  # fmt: skip
        counted.ages = {key: int(getattr(row, f"age_{key}") or 0) for key, _, _ in groups}
        result.append(counted)
    return result


def _people_columns(age, groups, amount):
    return [
        func.count().label("people"),
        func.sum(case((Person.sex == "F", 1), else_=0)).label("women"),
        *(
            func.sum(case((_in_band(age, low, high), 1), else_=0)).label(f"age_{key}")
            for key, low, high in groups
        ),
        func.sum(amount).label("amount"),
    ]


def compute_forms(half: HalfYear, scope: Scope) -> Forms:
    paid = paid_lines(half, scope)
    age = _age(half)

    # Per beneficiary: the allowance paid in the half-year.
    allowance = (
        select(paid.c.beneficiary_id, func.sum(paid.c.total_amount).label("amount"))
        .where(paid.c.kind == ALLOWANCE)
        .group_by(paid.c.beneficiary_id)
        .subquery("allowance_paid")
    )
    principal = _principal_category(half, allowance).subquery("principal")
    people = (
        select(
            allowance.c.beneficiary_id,
            allowance.c.amount,
            principal.c.category_code,
            principal.c.group,
        )  # fmt: skip
        .join(principal, principal.c.beneficiary_id == allowance.c.beneficiary_id)
        .subquery("people")
    )

    def by_category(groups, *where):
        return (
            reader()
            .execute(
                select(
                    people.c.category_code.label("code"),
                    *_people_columns(age, groups, people.c.amount),
                )  # fmt: skip
                .select_from(people)
                .join(Beneficiary, Beneficiary.id == people.c.beneficiary_id)
                .join(Person, Person.id == Beneficiary.person_id)
                .where(*where)
                .group_by(people.c.category_code)
            )
            .all()
        )

    allowance_rows = _counted(by_category(AGE_GROUPS_10A), AGE_GROUPS_10A)
    elderly_rows = _counted(by_category(AGE_GROUPS_10C, age >= 60), AGE_GROUPS_10C)

    # 10a: care support by kind of care; the people are those cared for.
    care_paid = (
        select(paid.c.care_support_id, func.sum(paid.c.total_amount).label("amount"))
        .where(paid.c.kind == CARE_SUPPORT)
        .group_by(paid.c.care_support_id)
        .subquery("care_paid")
    )
    care_rows = _counted(
        reader()
        .execute(
            select(
                CareSupport.care_group.label("code"),
                *_people_columns(age, AGE_GROUPS_10A, care_paid.c.amount),
            )  # fmt: skip
            .select_from(care_paid)
            .join(CareSupport, CareSupport.id == care_paid.c.care_support_id)
            .join(Beneficiary, Beneficiary.id == CareSupport.beneficiary_id)
            .join(Person, Person.id == Beneficiary.person_id)
            .group_by(CareSupport.care_group)
        )
        .all(),
        AGE_GROUPS_10A,
    )

    # 10b: one-off support by procedure: dossiers paid and money.
    one_off_rows = [
        Row(code=row.code, people=row.cases, amount=int(row.amount or 0))
        for row in reader().execute(
            select(
                Case.procedure_code.label("code"),
                func.count(func.distinct(paid.c.case_id)).label("cases"),
                func.sum(paid.c.total_amount).label("amount"),
            )
            .select_from(paid)
            .join(Case, Case.id == paid.c.case_id)
            .where(paid.c.kind.in_(ONE_OFF_KINDS))
            .group_by(Case.procedure_code)
        )
    ]

    # 10d: beneficiaries holding a disability category in the half-year, at their most
    # severe level; their allowance and the care support paid for them.
    level_rank = case(
        *(
            (BeneficiaryCategory.category_code == code, n)
            for n, code in enumerate(DISABILITY_LEVELS)
        ),
        else_=len(DISABILITY_LEVELS),
    )
    levels = (
        select(BeneficiaryCategory.beneficiary_id, func.min(level_rank).label("level"))
        .where(
            BeneficiaryCategory.category_code.in_(DISABILITY_LEVELS),
            BeneficiaryCategory.from_month <= half.last,
            or_(
                BeneficiaryCategory.to_month.is_(None), BeneficiaryCategory.to_month >= half.first
            ),  # fmt: skip
        )
        .group_by(BeneficiaryCategory.beneficiary_id)
        .subquery("levels")
    )
    care_for = (
        select(CareSupport.beneficiary_id, func.sum(care_paid.c.amount).label("amount"))
        .join(care_paid, care_paid.c.care_support_id == CareSupport.id)
        .group_by(CareSupport.beneficiary_id)
        .subquery("care_for")
    )
    disabled = _counted(
        reader()
        .execute(
            select(
                levels.c.level.label("code"),
                *_people_columns(age, AGE_GROUPS_10D, allowance.c.amount),
                func.sum(func.coalesce(care_for.c.amount, 0)).label("care_amount"),
            )
            .select_from(allowance)
            .join(levels, levels.c.beneficiary_id == allowance.c.beneficiary_id)
            .outerjoin(care_for, care_for.c.beneficiary_id == allowance.c.beneficiary_id)
            .join(Beneficiary, Beneficiary.id == allowance.c.beneficiary_id)
            .join(Person, Person.id == Beneficiary.person_id)
            .group_by(levels.c.level)
        )
        .all(),
        AGE_GROUPS_10D,
    )
    for row in disabled:
        row.code = DISABILITY_LEVELS[int(row.code)]

    communes = [
        Row(code=row.code, people=row.people, amount=int(row.amount or 0))
        for row in reader().execute(
            select(
                paid.c.commune_code.label("code"),
                func.count(func.distinct(paid.c.beneficiary_id)).label("people"),
                func.sum(paid.c.total_amount).label("amount"),
            )
            .group_by(paid.c.commune_code)
            .order_by(paid.c.commune_code)
        )
    ]
    return Forms(
        half=half, scope=scope,
        allowance=_in_order(allowance_rows, _category_order()),
        care=_in_order(care_rows, _care_group_order()),
        one_off=sorted(one_off_rows, key=lambda r: r.code),
        elderly=_in_order(elderly_rows, _category_order()),
        disability=_in_order(disabled, list(DISABILITY_LEVELS)),
        communes=communes,
    )  # fmt: skip


def _category_order() -> list[str]:
    return list(reader().scalars(select(Category.code).order_by(Category.article, Category.code)))


def _care_group_order() -> list[str]:
    return list(
        reader().scalars(
            select(CareSupportRule.care_group)
            .group_by(CareSupportRule.care_group)
            .order_by(func.min(CareSupportRule.id))
        )
    )


def _in_order(rows: list[Row], order: list[str]) -> list[Row]:
    """Every code of ``order`` with its row (zeros when nobody was paid), then any other."""
    found = {row.code: row for row in rows}
    result = [found.pop(code, Row(code=code)) for code in order]
    return result + sorted(found.values(), key=lambda r: r.code)


def commune_names(forms: Forms) -> dict[str, str]:
    codes = [row.code for row in forms.communes]
    return dict(
        reader().execute(select(Commune.code, Commune.name).where(Commune.code.in_(codes))).all()
    )
