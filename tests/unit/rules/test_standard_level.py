"""The standard level in force and the one-off amounts derived from it (domain.md 3, 4)."""

from datetime import date

import pytest
from sqlalchemy import func, select

from benefits.extensions import db
from benefits.month import Month
from benefits.rules.models import Category, CoefficientRule, SocialPensionLevel, StandardLevel
from benefits.rules.standard import NoRuleInForce, one_off_amount, standard_level_for


def test_the_standard_level_rose_to_500000_from_july_2024():
    """Decree 76/2024/NĐ-CP: 360,000 until June 2024, 500,000 from July 2024."""
    assert standard_level_for(None, Month(2024, 6)) == 360_000
    assert standard_level_for("01", Month(2024, 7)) == 500_000


def test_the_standard_level_was_270000_before_nd20():
    """Decree 136/2013: 270,000 from 2014; ND20 Art 4: 360,000 from July 2021."""
    assert standard_level_for(None, Month(2021, 6)) == 270_000
    assert standard_level_for(None, Month(2021, 7)) == 360_000


def test_a_province_top_up_applies_from_its_month():
    db.session.add(
        StandardLevel(
            province_code="79",
            effective_month=Month(2025, 1),
            amount=600_000,
            legal_basis="Nghị quyết HĐND (test)",
        )
    )
    db.session.flush()
    assert standard_level_for("79", Month(2024, 12)) == 500_000
    assert standard_level_for("79", Month(2025, 1)) == 600_000
    assert standard_level_for("01", Month(2025, 1)) == 500_000


def test_no_level_before_the_first_row_is_an_error():
    with pytest.raises(NoRuleInForce):
        standard_level_for(None, Month(2010, 1))


def test_funeral_support_is_20_times_the_standard_on_the_date_of_death():
    """ND20 Art 11: 10,000,000 VND for a death since July 2024."""
    assert one_off_amount("FUNERAL", "01", date(2025, 3, 14)) == 10_000_000
    assert one_off_amount("FUNERAL", "01", date(2024, 6, 30)) == 7_200_000


def test_emergency_funeral_and_housing_amounts():
    """ND20 Art 14: 50 × standard; Art 15: fixed amounts per household."""
    assert one_off_amount("EMERGENCY_FUNERAL", "01", date(2025, 3, 1)) == 25_000_000
    assert one_off_amount("HOUSING_BUILD", "01", date(2025, 3, 1)) == 40_000_000
    assert one_off_amount("HOUSING_REPAIR", "01", date(2025, 3, 1)) == 20_000_000


def test_every_rule_row_carries_its_legal_basis():
    for model in (Category, CoefficientRule, StandardLevel, SocialPensionLevel):
        blank = db.session.scalar(
            select(func.count())
            .select_from(model)
            .where((model.legal_basis.is_(None)) | (model.legal_basis == ""))
        )
        assert blank == 0


def test_the_twelve_categories_are_seeded():
    assert db.session.scalar(select(func.count()).select_from(Category)) == 12
    elderly_80 = db.session.get(Category, "ELDERLY_80_NO_PENSION")
    assert elderly_80.min_age == 80 and elderly_80.no_new_entrants_from == Month(2025, 7)
