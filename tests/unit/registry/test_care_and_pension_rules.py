"""The recording rules of care support (ND20 Art 20, Art 8.1) and of the social pension
(Decree 176/2025/NĐ-CP), on plain values."""

from dataclasses import dataclass
from datetime import date

import pytest

from benefits.errors import DomainError
from benefits.month import Month
from benefits.registry.care_support import check_care_months
from benefits.registry.social_pension import refuse_if_too_young

M = Month.parse
THIS_MONTH = M("2026-11")
CHILD = {"CHILD_NO_SUPPORT": "5.1"}
EXTREMELY_SEVERE = {"DISABLED_EXTREMELY_SEVERE": "5.6"}


@dataclass
class Held:
    category_code: str
    from_month: Month
    to_month: Month | None = None


def refusal(*args) -> DomainError:
    with pytest.raises(DomainError) as raised:
        check_care_months(*args)
    return raised.value


def test_care_support_fits_a_category_the_person_holds_from_its_first_month():
    held = [Held("CHILD_NO_SUPPORT", M("2025-03"))]
    assert check_care_months(held, CHILD, M("2025-03"), None, THIS_MONTH) is held[0]


def test_care_for_a_category_the_person_does_not_hold_is_refused_on_the_kind_of_care():
    """A child who is not disabled, recorded as cared for by a household (ND20 Art 20: for a
    person with extremely severe disability)."""
    error = refusal([Held("CHILD_NO_SUPPORT", M("2025-03"))], EXTREMELY_SEVERE,
                    M("2025-03"), None, THIS_MONTH)  # fmt: skip
    assert error.field == "care_group" and "5.6" in str(error)


def test_care_cannot_start_before_the_person_holds_the_category():
    error = refusal([Held("CHILD_NO_SUPPORT", M("2025-03"))], CHILD, M("1990-05"), None,
                    THIS_MONTH)  # fmt: skip
    assert error.field == "from_month" and "03/2025" in str(error)


def test_care_cannot_start_in_a_month_to_come():
    error = refusal([Held("CHILD_NO_SUPPORT", M("2025-03"))], CHILD, THIS_MONTH + 1, None,
                    THIS_MONTH)  # fmt: skip
    assert error.field == "from_month" and f"{THIS_MONTH.month:02d}/{THIS_MONTH.year}" in str(error)


def test_care_cannot_start_after_the_category_ended():
    error = refusal([Held("CHILD_NO_SUPPORT", M("2021-03"), M("2025-02"))], CHILD,
                    M("2025-05"), None, THIS_MONTH)  # fmt: skip
    assert error.field == "from_month" and "05/2025" in str(error)


def test_care_ends_at_the_latest_with_the_category():
    held = [Held("CHILD_NO_SUPPORT", M("2021-03"), M("2025-02"))]
    assert refusal(held, CHILD, M("2025-01"), None, THIS_MONTH).field == "to_month"
    assert refusal(held, CHILD, M("2025-01"), M("2025-03"), THIS_MONTH).field == "to_month"
    assert check_care_months(held, CHILD, M("2025-01"), M("2025-02"), THIS_MONTH) is held[0]


def test_the_category_held_in_the_first_month_is_the_one_that_counts():
    """Held twice (a gap between): care fits the second period from its own start."""
    held = [Held("CHILD_NO_SUPPORT", M("2022-01"), M("2022-12")),
            Held("CHILD_NO_SUPPORT", M("2024-01"))]  # fmt: skip
    assert check_care_months(held, CHILD, M("2024-06"), None, THIS_MONTH) is held[1]
    assert refusal(held, CHILD, M("2023-06"), None, THIS_MONTH).field == "from_month"


BORN = date(1951, 8, 20)  # 75 in August 2026, 70 in August 2021


@pytest.mark.parametrize(
    ("month", "poor", "due"),
    [
        ("2026-07", False, False),  # 74 until the birthday month
        ("2026-08", False, True),  # 75 from the month of the birthday (domain.md section 3)
        ("2025-07", True, True),  # 73 and poor or near-poor: from 70
        ("2025-07", False, False),
    ],
)
def test_the_social_pension_is_due_from_75_or_70_for_a_poor_household(month, poor, due):
    if due:
        refuse_if_too_young(BORN, M(month), 75, 70, poor=poor)
    else:
        with pytest.raises(DomainError) as raised:
            refuse_if_too_young(BORN, M(month), 75, 70, poor=poor)
        assert raised.value.field == "from_month"


def test_a_poor_person_under_70_is_told_the_month_they_reach_70():
    with pytest.raises(DomainError) as raised:
        refuse_if_too_young(date(1960, 3, 5), M("2025-07"), 75, 70, poor=True)
    assert "70" in str(raised.value) and "03/2030" in str(raised.value)


def test_a_17_year_old_is_refused_with_the_month_they_reach_75():
    with pytest.raises(DomainError) as raised:
        refuse_if_too_young(date(2008, 6, 10), M("2025-09"), 75, 70, poor=False)
    assert "75" in str(raised.value) and "06/2083" in str(raised.value)
