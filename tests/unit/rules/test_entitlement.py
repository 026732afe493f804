"""Every rule of domain.md section 3, on the Python entitlement (the SQL one is proven
equal in tests/integration/test_entitlement_sql.py)."""

from datetime import date

import pytest

from benefits.extensions import db
from benefits.month import Month
from benefits.rules.entitlement import (
    EntitlementInput,
    HeldCategory,
    RuleBook,
    category_refusal,
    entitlement_for,
)


@pytest.fixture
def rules():
    return RuleBook.load(db.session)


def person(born, *codes, effective="2020-01", children=0, last=None, province="01"):
    start = Month.parse(effective)
    return EntitlementInput(
        date_of_birth=born,
        province_code=province,
        effective_month=start,
        categories=tuple(HeldCategory(c, start) for c in codes),
        dependent_children=children,
        last_entitled_month=Month.parse(last) if last else None,
    )


def coefficient(p, month, rules):
    found = entitlement_for(p, Month.parse(month), rules)
    return found.coefficient if found else None


def amount(p, month, rules):
    found = entitlement_for(p, Month.parse(month), rules)
    return found.amount if found else 0


def test_the_standard_level_change_of_july_2024(rules):
    """Decree 76/2024: 360,000 × 1.5 in June 2024, 500,000 × 1.5 in July."""
    p = person(date(1990, 1, 15), "HIV_POOR")
    assert amount(p, "2024-06", rules) == 540_000
    assert amount(p, "2024-07", rules) == 750_000


@pytest.mark.parametrize(
    ("code", "born", "expected"),
    [
        ("CHILD_NO_SUPPORT", date(2023, 6, 1), "2.5"),  # ND20 Art 6.1.a, under 4
        ("CHILD_NO_SUPPORT", date(2015, 6, 1), "1.5"),  # from 4
        ("YOUTH_STUDYING", date(2007, 6, 1), "1.5"),  # Art 6.1.b
        ("CHILD_HIV_POOR", date(2023, 6, 1), "2.5"),  # Art 6.1.c, under 4
        ("CHILD_HIV_POOR", date(2015, 6, 1), "2.0"),  # from 4
        ("ELDERLY_POOR_ALONE", date(1955, 6, 1), "1.5"),  # Art 6.1.đ, 60 to 79
        ("ELDERLY_POOR_ALONE", date(1940, 6, 1), "2.0"),  # from 80
        ("ELDERLY_75_DIFFICULT_AREA", date(1948, 6, 1), "1.0"),
        ("ELDERLY_80_NO_PENSION", date(1940, 6, 1), "1.0"),
        ("ELDERLY_COMMUNITY_CARE", date(1950, 6, 1), "3.0"),
        ("DISABLED_EXTREMELY_SEVERE", date(1990, 6, 1), "2.0"),  # Art 6.1.e
        ("DISABLED_EXTREMELY_SEVERE", date(2015, 6, 1), "2.5"),  # a child
        ("DISABLED_EXTREMELY_SEVERE", date(1960, 6, 1), "2.5"),  # elderly
        ("DISABLED_SEVERE", date(1990, 6, 1), "1.5"),  # Art 6.1.g
        ("DISABLED_SEVERE", date(2015, 6, 1), "2.0"),
        ("DISABLED_SEVERE", date(1960, 6, 1), "2.0"),
        ("CHILD_UNDER_3_POOR_AREA", date(2023, 6, 1), "1.5"),  # Art 6.1.h
        ("HIV_POOR", date(1990, 6, 1), "1.5"),  # Art 6.1.i
    ],
)
def test_every_category_has_its_coefficient(rules, code, born, expected):
    """ND20 Art 6.1: the coefficient of each category (and age band), in January 2025."""
    assert coefficient(person(born, code), "2025-01", rules) == expected


def test_single_parent_is_one_per_child(rules):
    """ND20 Art 6.1.d: 1.0 per child raised."""
    assert (
        coefficient(person(date(1985, 7, 7), "SINGLE_PARENT_POOR", children=3), "2025-03", rules)
        == "3.0"
    )


def test_a_level_changes_from_the_birthday_month(rules):
    """ND20 Art 8.1: a child born 2021-03-15 gets 2.5 until February 2025, 1.5 from March."""
    p = person(date(2021, 3, 15), "CHILD_NO_SUPPORT")
    assert coefficient(p, "2025-02", rules) == "2.5"
    assert coefficient(p, "2025-03", rules) == "1.5"


def test_severe_disability_rises_in_the_month_of_the_60th_birthday(rules):
    """ND20 Art 6.1.g with Art 8.1: 1.5 in February, 2.0 from March (born March 1965)."""
    p = person(date(1965, 3, 2), "DISABLED_SEVERE")
    assert coefficient(p, "2025-02", rules) == "1.5"
    assert coefficient(p, "2025-03", rules) == "2.0"


def test_a_child_under_3_is_still_paid_in_the_month_of_the_third_birthday(rules):
    """ND20 Art 8.2: eligibility ending by age stops from the month after the birthday."""
    p = person(date(2022, 3, 20), "CHILD_UNDER_3_POOR_AREA")
    assert coefficient(p, "2025-03", rules) == "1.5"
    assert coefficient(p, "2025-04", rules) is None


def test_a_child_without_support_stops_the_month_after_turning_16(rules):
    """ND20 Art 5.1 and 8.2."""
    p = person(date(2009, 5, 5), "CHILD_NO_SUPPORT")
    assert coefficient(p, "2025-05", rules) == "1.5"
    assert coefficient(p, "2025-06", rules) is None


def test_a_student_stops_the_month_after_turning_22(rules):
    """ND20 Art 5.2 and 8.2."""
    p = person(date(2003, 9, 1), "YOUTH_STUDYING")
    assert coefficient(p, "2025-09", rules) == "1.5"
    assert coefficient(p, "2025-10", rules) is None


def test_elderly_75_moves_to_80_at_the_80th_birthday(rules):
    """ND20 Art 5.5.b until the month of the 80th birthday, then 5.5.c (Art 8.1)."""
    p = person(date(1945, 4, 10), "ELDERLY_75_DIFFICULT_AREA", "ELDERLY_80_NO_PENSION")
    assert entitlement_for(p, Month(2025, 3), rules).category_codes == (
        "ELDERLY_75_DIFFICULT_AREA",
    )
    assert entitlement_for(p, Month(2025, 5), rules).category_codes == ("ELDERLY_80_NO_PENSION",)


def test_elderly_75_alone_continues_under_5_5_c_at_80_with_no_gap(rules):
    """domain.md section 3: a 5.5.b beneficiary reaching 80 continues under 5.5.c from
    the birthday month, with no new decision (the registry holds 5.5.b only)."""
    p = person(date(1946, 5, 10), "ELDERLY_75_DIFFICULT_AREA")
    for month in ("2026-04", "2026-05", "2026-06", "2027-01"):
        assert amount(p, month, rules) == 500_000, month
    assert entitlement_for(p, Month(2026, 6), rules).category_codes == ("ELDERLY_80_NO_PENSION",)


def test_elderly_80_starts_in_the_month_of_the_80th_birthday(rules):
    """ND20 Art 8.1: from the month the person reaches 80."""
    p = person(date(1944, 12, 31), "ELDERLY_80_NO_PENSION")
    assert coefficient(p, "2024-11", rules) is None
    assert coefficient(p, "2024-12", rules) == "1.0"


def test_highest_only(rules):
    """ND20 Art 6.2: elderly extremely severe disability 2.5 beats elderly 1.5."""
    p = person(date(1950, 10, 10), "DISABLED_EXTREMELY_SEVERE", "ELDERLY_POOR_ALONE")
    assert coefficient(p, "2025-03", rules) == "2.5"


def test_single_parent_is_added_to_the_highest_of_disability_and_hiv(rules):
    """ND20 Art 6.2: 2 children (2.0) + max(disability 1.5, HIV 1.5) = 3.5."""
    p = person(date(1982, 2, 28), "SINGLE_PARENT_POOR", "DISABLED_SEVERE", "HIV_POOR", children=2)
    assert coefficient(p, "2025-03", rules) == "3.5"


def test_single_parent_is_not_added_to_a_child_category(rules):
    """ND20 Art 6.2: only elderly, disability or HIV coefficients take the addition."""
    p = person(date(2012, 1, 1), "SINGLE_PARENT_POOR", "CHILD_NO_SUPPORT", children=1)
    assert coefficient(p, "2025-03", rules) == "1.5"


def test_nothing_is_due_before_the_effective_month(rules):
    """ND20 Art 8.1: from the month of the decision."""
    p = person(date(1944, 12, 31), "ELDERLY_COMMUNITY_CARE", effective="2025-03")
    assert coefficient(p, "2025-02", rules) is None
    assert coefficient(p, "2025-03", rules) == "3.0"


def test_the_month_of_death_is_paid_and_not_the_next(rules):
    """ND20 Art 8.2: stop from the month after death or loss of eligibility."""
    p = person(date(1944, 12, 31), "ELDERLY_COMMUNITY_CARE", last="2025-03")
    assert coefficient(p, "2025-03", rules) == "3.0"
    assert coefficient(p, "2025-04", rules) is None


def test_elderly_75_and_80_take_no_new_entrants_from_july_2025(rules):
    """Decree 176/2025: 5.5.b and 5.5.c take no new entrants from 2025-07."""
    born = date(1940, 1, 1)
    assert category_refusal("ELDERLY_80_NO_PENSION", born, Month(2025, 6), rules) is None
    assert "07/2025" in category_refusal("ELDERLY_80_NO_PENSION", born, Month(2025, 7), rules)
    assert (
        category_refusal("ELDERLY_75_DIFFICULT_AREA", date(1948, 1, 1), Month(2025, 8), rules)
        is not None
    )


def test_a_category_outside_its_ages_is_refused(rules):
    """domain.md section 3, "Ages per category": an import or a decision is refused."""
    assert category_refusal("CHILD_UNDER_3_POOR_AREA", date(2020, 1, 1), Month(2025, 1), rules)
    assert category_refusal("ELDERLY_POOR_ALONE", date(1970, 1, 1), Month(2025, 1), rules)
    assert category_refusal("NOT_A_CATEGORY", date(1970, 1, 1), Month(2025, 1), rules)
    assert category_refusal("ELDERLY_POOR_ALONE", date(1960, 1, 1), Month(2025, 1), rules) is None
