"""Vietnamese working days (ngày làm việc).

Legal deadlines (ND20 Art 8.1; Decree 147/2025 for the commune chairman's 10 working
days) are counted in working days: Saturdays, Sundays and the public holidays of the
Labour Code (Lunar New Year included, with the days off the Government moves next to
them) do not count. The holidays come from the ``holidays`` package (country ``VN``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

# Vietnam keeps one time zone, UTC+7, all year.
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def vietnam_today() -> date:
    """The day it is in Vietnam. The server's clock runs in UTC, where the day starts at
    7 in the morning Vietnam time: a dossier received at 6 would be dated the day before,
    a death registered that morning would be "in the future"."""
    return datetime.now(VIETNAM).date()


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays_of(day.year)


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (``start`` itself is not counted).

    A dossier received on ``start`` with a deadline of ``n`` working days is due on the
    date returned. ``n == 0`` gives ``start`` itself.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    remaining = n
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(a: date, b: date) -> int:
    """Working days after ``a`` up to and including ``b``; negative when ``b`` is earlier.

    The inverse of :func:`add_working_days`: ``working_days_between(d, add_working_days(d, n))
    == n``. Counted by whole weeks (five weekdays each) and the public holidays that fall on
    a weekday, not day by day: an officer's queue flags hundreds of dossiers a request,
    some of them due years ago.
    """
    if b < a:
        return -working_days_between(b, a)
    weeks, rest = divmod((b - a).days, 7)
    after_weeks = a + timedelta(days=7 * weeks)
    weekdays = 5 * weeks + sum(
        (after_weeks + timedelta(days=n)).weekday() < 5 for n in range(1, rest + 1)
    )
    holidays_on_weekdays = sum(
        a < day <= b and day.weekday() < 5
        for year in range(a.year, b.year + 1)
        for day in _holidays_of(year)
    )
    return weekdays - holidays_on_weekdays
