"""``Month``: the domain's unit of entitlement and payment (a calendar month).

Stored in the database as the integer ``YYYYMM`` (``202503``), which sorts, reads and
compares the same on SQLite and PostgreSQL. SQL that needs month arithmetic turns it
into a month index with :func:`month_index_sql` (``year * 12 + month - 1``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer
from sqlalchemy.types import TypeDecorator

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True, slots=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1 <= self.year <= 9999:
            raise ValueError(f"not a month: {self.year}-{self.month}")

    @classmethod
    def parse(cls, text: str) -> Month:
        """Parse ``YYYY-MM``; raise ``ValueError`` on anything else."""
        match = _MONTH_RE.match(text.strip()) if text else None
        if not match:
            raise ValueError(f"not a month (YYYY-MM): {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def from_index(cls, index: int) -> Month:
        return cls(index // 12, index % 12 + 1)

    @classmethod
    def from_yyyymm(cls, value: int) -> Month:
        return cls(value // 100, value % 100)

    @property
    def index(self) -> int:
        return self.year * 12 + self.month - 1

    @property
    def yyyymm(self) -> int:
        return self.year * 100 + self.month

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def __add__(self, months: int) -> Month:
        return Month.from_index(self.index + months)

    def __sub__(self, other: int | Month) -> Month | int:
        if isinstance(other, Month):
            return self.index - other.index
        return Month.from_index(self.index - other)

    def until(self, last: Month) -> list[Month]:
        """Months from this one to ``last`` inclusive (empty when ``last`` is earlier)."""
        return [Month.from_index(i) for i in range(self.index, last.index + 1)]

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


class MonthType(TypeDecorator):
    """A ``Month`` column stored as the integer ``YYYYMM``."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, Month):
            return value.yyyymm
        if isinstance(value, str):
            return Month.parse(value).yyyymm
        return int(value)

    def process_result_value(self, value, dialect):
        return None if value is None else Month.from_yyyymm(int(value))


def month_index_sql(column):
    """SQL expression: the month index (``year * 12 + month - 1``) of a YYYYMM column."""
    # ``//`` renders as integer division on both backends (``/`` would be true division).
    return (column // 100) * 12 + (column % 100) - 1
