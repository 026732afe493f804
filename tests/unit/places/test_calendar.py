"""Deadlines are counted in Vietnamese working days (ND20 Art 8.1)."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from benefits.places.calendar import add_working_days, is_working_day, working_days_between


def test_weekends_do_not_count():
    friday = date(2025, 3, 14)
    assert add_working_days(friday, 1) == date(2025, 3, 17)


def test_ten_working_days_in_an_ordinary_fortnight():
    monday = date(2025, 3, 3)
    assert add_working_days(monday, 10) == date(2025, 3, 17)


def test_lunar_new_year_2025_is_skipped():
    # Tết 2025: 27 Jan to 1 Feb are days off; a dossier received Friday 24 Jan with a
    # 3-working-day deadline is due on Wednesday 5 Feb.
    assert not is_working_day(date(2025, 1, 29))
    assert add_working_days(date(2025, 1, 24), 3) == date(2025, 2, 5)


def test_lunar_new_year_2026_is_skipped():
    # Tết 2026 falls on 17 Feb: the days around it are off.
    assert not is_working_day(date(2026, 2, 17))
    due = add_working_days(date(2026, 2, 13), 1)
    assert due > date(2026, 2, 20)


def test_reunification_and_labour_day_are_skipped():
    assert add_working_days(date(2025, 4, 29), 1) == date(2025, 5, 5)


def test_working_days_between_is_the_inverse_of_add():
    start = date(2025, 1, 20)
    for n in range(0, 30):
        assert working_days_between(start, add_working_days(start, n)) == n


def test_working_days_between_is_negative_when_past_due():
    assert working_days_between(date(2025, 3, 17), date(2025, 3, 14)) == -1


def _counted_day_by_day(a: date, b: date) -> int:
    if b < a:
        return -_counted_day_by_day(b, a)
    return sum(is_working_day(a + timedelta(days=n)) for n in range(1, (b - a).days + 1))


@given(
    st.dates(date(2019, 1, 1), date(2031, 12, 31)), st.dates(date(2019, 1, 1), date(2031, 12, 31))
)
def test_working_days_between_counts_as_day_by_day(a, b):
    assert working_days_between(a, b) == _counted_day_by_day(a, b)
