"""A half-year (6 tháng): the period of the report forms 10a to 10d (TT02 Art 6),
1 January to 30 June, or 1 July to 31 December."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from benefits.errors import DomainError
from benefits.month import Month


@dataclass(frozen=True, order=True)
class HalfYear:
    year: int
    half: int  # 1: January to June; 2: July to December

    def __post_init__(self) -> None:
        if self.half not in (1, 2) or not 2000 <= self.year <= 2100:
            raise DomainError(_l("Choose a year and its first or second half."))

    @classmethod
    def parse(cls, year: str | int | None, half: str | int | None) -> HalfYear:
        try:
            return cls(int(year), int(half))
        except (TypeError, ValueError) as error:
            raise DomainError(_l("Choose a year and its first or second half.")) from error

    @classmethod
    def of(cls, month: Month) -> HalfYear:
        return cls(month.year, 1 if month.month <= 6 else 2)

    @property
    def first(self) -> Month:
        return Month(self.year, 1 if self.half == 1 else 7)

    @property
    def last(self) -> Month:
        return Month(self.year, 6 if self.half == 1 else 12)

    def previous(self) -> HalfYear:
        return HalfYear(self.year, 1) if self.half == 2 else HalfYear(self.year - 1, 2)

    def __str__(self) -> str:
        return f"{self.year}-H{self.half}"
