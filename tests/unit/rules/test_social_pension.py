"""Decree 176/2025/NĐ-CP, the social pension (trợ cấp hưu trí xã hội), 500,000 VND a
month from 2025-07: a person entitled to both a monthly allowance and the social pension
gets the higher (domain.md section 3). The SQL entitlement is proven equal in
tests/integration/test_entitlement_sql.py."""

from datetime import date

from sqlalchemy import select

from benefits.extensions import db
from benefits.month import Month
from benefits.rules.entitlement import (
    EntitlementInput,
    HeldCategory,
    RuleBook,
    SocialPensionMonths,
    entitlement_for,
    entitlements_between,
)
from benefits.rules.models import SocialPensionLevel, StandardLevel
from benefits.rules.standard import social_pension_level_for

JULY_2025 = Month(2025, 7)


def pensioner(born, *codes, pension_from="2025-07", pension_to=None, province="01", children=0):
    """A beneficiary since 2020 who receives the social pension from ``pension_from``."""
    start = Month(2020, 1)
    return EntitlementInput(
        date_of_birth=born,
        province_code=province,
        effective_month=start,
        categories=tuple(HeldCategory(c, start) for c in codes),
        dependent_children=children,
        social_pension=(
            SocialPensionMonths(
                Month.parse(pension_from), Month.parse(pension_to) if pension_to else None
            ),
        ),
    )


def in_month(person, month):
    return entitlement_for(person, Month.parse(month), RuleBook.load(db.session))


def add_provincial(table, province, month, amount):
    db.session.add(
        table(
            province_code=province,
            effective_month=Month.parse(month),
            amount=amount,
            legal_basis="Nghị quyết HĐND (test)",
        )
    )
    db.session.flush()


def test_the_social_pension_is_500000_a_month_from_july_2025():
    """Decree 176/2025/NĐ-CP, seeded as dated rule data with its legal basis."""
    assert social_pension_level_for(None, Month(2025, 6)) is None
    assert social_pension_level_for("01", JULY_2025) == 500_000
    row = db.session.scalars(
        select(SocialPensionLevel).where(SocialPensionLevel.effective_month == JULY_2025)
    ).one()
    assert row.province_code is None and "176/2025" in row.legal_basis


def test_an_elderly_person_alone_keeps_the_allowance_of_750000_over_the_social_pension():
    """Decree 176/2025: the higher of the two. 5.5.a at 75: 1.5 × 500,000 = 750,000."""
    september = in_month(pensioner(date(1950, 6, 1), "ELDERLY_POOR_ALONE"), "2025-09")
    assert september.social_pension == 500_000
    assert not september.replaced_by_social_pension
    assert september.amount == 750_000


def test_an_allowance_equal_to_the_social_pension_gives_way_to_it():
    """Decree 176/2025: 5.5.c at 1.0 × 500,000 = 500,000, equal to the social pension: the
    pension is kept, nothing is due from the allowance (docs/decisions.md)."""
    september = in_month(pensioner(date(1940, 6, 1), "ELDERLY_80_NO_PENSION"), "2025-09")
    assert september.replaced_by_social_pension
    assert september.amount == 0 and not september.is_due
    # The officer still sees why: the category, coefficient and allowance it would be.
    assert september.category_codes == ("ELDERLY_80_NO_PENSION",)
    assert september.coefficient == "1.0"
    assert september.allowance_amount == 500_000


def test_a_province_top_up_makes_the_allowance_higher_than_the_social_pension():
    """Decree 176/2025 with ND20 Art 4.3: at a province's standard level of 600,000 the
    5.5.c allowance (1.0 × 600,000) is higher than the social pension, and is paid."""
    add_provincial(StandardLevel, "79", "2025-01", 600_000)
    born = date(1940, 6, 1)
    assert in_month(pensioner(born, "ELDERLY_80_NO_PENSION", province="79"), "2025-09").amount == (
        600_000
    )
    assert in_month(pensioner(born, "ELDERLY_80_NO_PENSION", province="01"), "2025-09").amount == 0


def test_a_province_social_pension_above_the_allowance_replaces_it_from_its_month():
    """Decree 176/2025: a province paying a social pension of 800,000 from 2026-01 makes it
    the higher of the two for a 5.5.a person at 750,000."""
    add_provincial(SocialPensionLevel, "79", "2026-01", 800_000)
    person = pensioner(date(1950, 6, 1), "ELDERLY_POOR_ALONE", province="79")
    assert in_month(person, "2025-12").amount == 750_000
    january = in_month(person, "2026-01")
    assert january.social_pension == 800_000 and january.amount == 0


def test_months_before_july_2025_are_not_affected():
    """Decree 176/2025 takes effect on 2025-07-01: before, there is no social pension to
    compare with, whatever the recorded period says."""
    person = pensioner(date(1940, 6, 1), "ELDERLY_80_NO_PENSION", pension_from="2025-01")
    june = in_month(person, "2025-06")
    assert june.social_pension is None and june.amount == 500_000
    assert in_month(person, "2025-07").amount == 0


def test_the_allowance_is_paid_again_the_month_after_the_social_pension_ends():
    """Decree 176/2025: only the months in which the person receives the pension change."""
    person = pensioner(date(1940, 6, 1), "ELDERLY_80_NO_PENSION", pension_to="2025-12")
    assert in_month(person, "2025-12").amount == 0
    assert in_month(person, "2026-01").amount == 500_000


def test_the_single_parent_part_counts_in_the_allowance_compared_with_the_pension():
    """ND20 Art 6.2 then Decree 176/2025: 5.4 with one child (1.0) on top of 5.5.c (1.0)
    makes 1,000,000, higher than the social pension."""
    person = pensioner(date(1940, 6, 1), "ELDERLY_80_NO_PENSION", "SINGLE_PARENT_POOR", children=1)
    assert in_month(person, "2025-09").amount == 1_000_000


def test_months_replaced_by_the_social_pension_are_not_arrears():
    """Decree 176/2025: a month the pension replaces is never owed as arrears (truy lĩnh)."""
    person = pensioner(date(1940, 6, 1), "ELDERLY_80_NO_PENSION")
    due = entitlements_between(person, Month(2025, 5), Month(2025, 9), RuleBook.load(db.session))
    assert [str(e.month) for e in due] == ["2025-05", "2025-06"]
