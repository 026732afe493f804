"""The law's numbers as dated data (domain.md: "Everything numeric ... is data, not code").

Rows are seeded by migrations with the values of domain.md, each with its legal basis.
History is never edited in place: a change in the law, or a province's top-up, is a new
row from its effective month. Coefficients are stored in hundredths (``coefficient_pct``
250 = 2.5) so that amounts stay exact whole VND on every backend.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from benefits.extensions import db
from benefits.month import Month, MonthType

# Groups of categories for the "highest only" rule (ND20 Art 6.2).
CATEGORY_GROUPS = ("CHILD", "YOUTH", "SINGLE_PARENT", "ELDERLY", "DISABILITY", "HIV")


class Category(db.Model):
    """A category of monthly social allowance (đối tượng bảo trợ xã hội), ND20 Art 5."""

    __tablename__ = "categories"
    __table_args__ = {"info": {"seeded": True}}

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    article: Mapped[str] = mapped_column(String(10))  # "5.5.a"
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    group: Mapped[str] = mapped_column(String(20))
    # Age window (domain.md section 3): from the birthday month of ``min_age``; eligibility
    # ends from the month after the birthday month of ``max_age`` (ND20 Art 8.2).
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    # Decree 176/2025: 5.5.b and 5.5.c take no new entrants from 2025-07.
    no_new_entrants_from: Mapped[Month | None] = mapped_column(MonthType)
    # The category a holder continues under once past ``max_age``, with no new decision
    # and no gap (domain.md section 3: 5.5.b reaching 80 continues under 5.5.c).
    continues_as: Mapped[str | None] = mapped_column(ForeignKey("categories.code"))
    # SINGLE_PARENT_POOR: the coefficient is per dependent child.
    per_child: Mapped[bool] = mapped_column(default=False)
    # Holding the category means the household is poor or near-poor (ND20 Art 5.3, 5.4,
    # 5.5.a, 5.5.b, 5.5.d, 5.7, 5.8): the social pension is due from the lower age.
    poor_or_near_poor: Mapped[bool] = mapped_column(default=False, server_default=false())
    legal_basis: Mapped[str] = mapped_column(String(255))


class _DatedLevel:
    """A monthly amount in force from ``effective_month``: national (``province_code``
    NULL), or a province's higher level from a month. One row per scope and month."""

    id: Mapped[int] = mapped_column(primary_key=True)
    province_code: Mapped[str | None] = mapped_column(ForeignKey("provinces.code"))
    effective_month: Mapped[Month] = mapped_column(MonthType)
    amount: Mapped[int]
    legal_basis: Mapped[str] = mapped_column(String(255))

    @declared_attr.directive
    def __table_args__(cls):  # noqa: N805 - a declared attribute receives the class
        table = cls.__tablename__
        national, provincial = "province_code IS NULL", "province_code IS NOT NULL"
        return (
            CheckConstraint("amount > 0", name="amount_positive"),
            Index(f"uq_{table}_national", "effective_month", unique=True,
                  sqlite_where=text(national), postgresql_where=text(national)),
            Index(f"uq_{table}_province", "province_code", "effective_month", unique=True,
                  sqlite_where=text(provincial), postgresql_where=text(provincial)),
            {"info": {"seeded": True}},
        )  # fmt: skip


class StandardLevel(_DatedLevel, db.Model):
    """Mức chuẩn trợ giúp xã hội: national (``province_code`` NULL) or a province's top-up."""

    __tablename__ = "standard_levels"


class SocialPensionLevel(_DatedLevel, db.Model):
    """Mức trợ cấp hưu trí xã hội (Decree 176/2025/NĐ-CP): the monthly social pension,
    national (``province_code`` NULL) or a province's higher level. Read against the
    monthly allowance: a person receiving both gets the higher (domain.md section 3)."""

    __tablename__ = "social_pension_levels"


class SocialPensionCondition(db.Model):
    """The ages from which the social pension is due (Decree 176/2025/NĐ-CP): ``min_age``,
    or ``min_age_poor_or_near_poor`` for a person of a poor or near-poor household; the row
    in force is the last whose ``effective_month`` is not after the month asked."""

    __tablename__ = "social_pension_conditions"
    __table_args__ = (
        CheckConstraint("min_age_poor_or_near_poor <= min_age", name="poor_age_not_above"),
        {"info": {"seeded": True}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    effective_month: Mapped[Month] = mapped_column(MonthType, unique=True)
    min_age: Mapped[int]
    min_age_poor_or_near_poor: Mapped[int]
    legal_basis: Mapped[str] = mapped_column(String(255))


class CoefficientRule(db.Model):
    """Hệ số: the coefficient of a category for an age band, from an effective month.

    ``min_age`` inclusive, ``max_age`` exclusive, both NULL for "any age"; the age is the
    one reached in the month (a level changes from the birthday month, ND20 Art 8.1).
    """

    __tablename__ = "coefficient_rules"
    __table_args__ = (
        CheckConstraint("coefficient_pct >= 0", name="coefficient_not_negative"),
        {"info": {"seeded": True}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_code: Mapped[str] = mapped_column(ForeignKey("categories.code"), index=True)
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    effective_month: Mapped[Month] = mapped_column(MonthType)
    coefficient_pct: Mapped[int]
    legal_basis: Mapped[str] = mapped_column(String(255))


class CareSupportRule(db.Model):
    """Hỗ trợ kinh phí chăm sóc, nuôi dưỡng hằng tháng (ND20 Art 20), paid to the carer."""

    __tablename__ = "care_support_rules"
    __table_args__ = (
        CheckConstraint("coefficient_pct >= 0", name="coefficient_not_negative"),
        {"info": {"seeded": True}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), index=True)
    # The kind of care a care-support record names; the row applying to a month is the one
    # of that group whose age band holds the cared person's age (ND20 Art 20.1: a 5.1 child
    # under 4 or from 4; Art 20.3: a foster carer of a child or of an adult).
    care_group: Mapped[str] = mapped_column(String(60), index=True)
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    effective_month: Mapped[Month] = mapped_column(MonthType)
    coefficient_pct: Mapped[int]
    legal_basis: Mapped[str] = mapped_column(String(255))


class CareGroupCategory(db.Model):
    """A kind of care support (``CareSupportRule.care_group``) fits a person who holds
    ``category_code`` (ND20 Art 20: e.g. caring for a 5.1 child; a household caring for a
    person with extremely severe disability), from ``effective_month``."""

    __tablename__ = "care_group_categories"
    __table_args__ = (
        UniqueConstraint("care_group", "category_code", "effective_month"),
        {"info": {"seeded": True}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    care_group: Mapped[str] = mapped_column(String(60), index=True)
    category_code: Mapped[str] = mapped_column(ForeignKey("categories.code"))
    effective_month: Mapped[Month] = mapped_column(MonthType)
    legal_basis: Mapped[str] = mapped_column(String(255))


class OneOffRule(db.Model):
    """A one-off support amount: a multiple of the standard level (``multiple_pct``, in
    hundredths: 2000 = 20 ×) or a fixed amount per household (ND20 Art 11, 13, 14, 15)."""

    __tablename__ = "one_off_rules"
    __table_args__ = (
        CheckConstraint(
            "(multiple_pct IS NULL) <> (fixed_amount IS NULL)", name="multiple_or_fixed"
        ),
        {"info": {"seeded": True}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), index=True)
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    effective_month: Mapped[Month] = mapped_column(MonthType)
    multiple_pct: Mapped[int | None]
    fixed_amount: Mapped[int | None]
    legal_basis: Mapped[str] = mapped_column(String(255))
