"""What a citizen may ask for, checked at the form: the category against the person's age,
and the categories still open to new applications."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from benefits.month import Month
from benefits.rules.entitlement import age_in_month
from benefits.rules.models import Category


def open_to_new_applications(category: Category, today: date) -> bool:
    """Decree 176/2025: 5.5.b and 5.5.c take no new entrants from 2025-07 (the social
    pension replaces them); the rule table says from when."""
    closed = category.no_new_entrants_from
    return closed is None or Month.of(today) < closed


def category_problem(category: Category, date_of_birth: date, today: date):
    """Why ``category`` does not fit a person born on ``date_of_birth`` (``None`` if it
    does): domain.md section 3, ages per category, as the rule table gives them."""
    month = Month.of(today)
    age = age_in_month(date_of_birth, month)
    too_young = category.min_age is not None and age < category.min_age
    # ND20 Art 8.2: the category ends from the month after the birthday of its upper age.
    too_old = category.max_age is not None and age_in_month(date_of_birth, month - 1) >= (
        category.max_age
    )
    if too_young or too_old:
        return _l("This category does not fit the person's age (%(age)s). Check the date of "
                  "birth, or choose another category.", age=age)  # fmt: skip
    return None
