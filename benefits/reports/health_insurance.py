"""The health-insurance list (danh sách cấp thẻ bảo hiểm y tế) sent each month to the
social-security office (ND20 Art 9; interchange.md section 4).

Every monthly-allowance beneficiary is entitled to a health-insurance card. The list of a
month ``M`` names each person whose entitlement **starts** in ``M`` (entitled in ``M``, not
in ``M - 1``) or **ends** in ``M`` (entitled in ``M``, not in ``M + 1``: ``from_month`` is
then ``M + 1``, the first month no longer entitled). "Entitled in a month" is the one
entitlement definition (``rules.entitlement_sql``) having an allowance due that month, so
a 5.5.b beneficiary who reaches 80 and continues under 5.5.c is in neither list, and a
child reaching 16 while not studying ends without any decision (decision 110).

Set-based: one SELECT over the registry and the rule tables, three months per person.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Integer, case, func, literal, select, union_all

from benefits.month import Month
from benefits.people.models import Person
from benefits.places.models import Commune
from benefits.registry.models import Beneficiary
from benefits.reports.reading import reader
from benefits.reports.spreadsheet import safe_text
from benefits.rules.entitlement_sql import (
    REGISTRY_COLUMNS,
    monthly_entitlement_select,
    registry_rows,
)

COLUMNS = (
    "month", "change", "national_id", "full_name", "date_of_birth", "sex", "province_code",
    "commune_code", "address", "category_codes", "from_month", "reason",
)  # fmt: skip
START, END = "START", "END"
# Why an entitlement ends (interchange.md section 4).
DEATH, STOPPED, MOVED_OUT = "DEATH", "STOPPED", "MOVED_OUT"
BOM = "\ufeff"


@dataclass(frozen=True)
class Scope:
    """The communes a list covers: one province, one commune, or (both None) the country."""

    province_code: str | None = None
    commune_code: str | None = None

    @property
    def code(self) -> str:
        """The code of the scope, as file names carry it."""
        return self.commune_code or self.province_code or "toan-quoc"

    def where(self, commune_column, province_column):
        if self.commune_code:
            return commune_column == self.commune_code
        if self.province_code:
            return province_column == self.province_code
        return literal(True)


def _pairs(month: Month, scope: Scope):
    """(beneficiary, month) for the months before, of and after ``month``, with the
    registry columns the entitlement reads, for every beneficiary of the scope."""
    registry = (
        registry_rows()
        .where(scope.where(Beneficiary.commune_code, Commune.province_code))
        .subquery("registry")
    )
    return union_all(
        *(
            select(
                registry.c.beneficiary_id,
                literal(which.yyyymm, Integer).label("month"),
                *(registry.c[name] for name in REGISTRY_COLUMNS),
            )
            for which in (month - 1, month, month + 1)
        )
    ).subquery("pairs")


def changes_select(month: Month, scope: Scope):
    """The list's rows as one SELECT, in the contract's columns and order."""
    due = monthly_entitlement_select(_pairs(month, scope)).subquery("due")
    before, this, after = (month - 1).yyyymm, month.yyyymm, (month + 1).yyyymm
    per_person = (
        select(
            due.c.beneficiary_id,
            func.max(case((due.c.month == before, 1), else_=0)).label("before"),
            func.max(case((due.c.month == after, 1), else_=0)).label("after"),
            func.max(case((due.c.month == this, due.c.category_codes))).label("codes"),
        )
        .group_by(due.c.beneficiary_id)
        .having(func.max(case((due.c.month == this, 1), else_=0)) == 1)
        .subquery("per_person")
    )
    residence = Commune.__table__.alias("residence")
    # TT02 Art 2.1 / ND20 Art 8.2, 8.4: why an entitlement ends. A person now living in
    # another province than the commune that paid them has moved out (decision 110).
    end_reason = case(
        (Person.died_on.is_not(None), literal(DEATH)),
        (residence.c.province_code != Commune.province_code, literal(MOVED_OUT)),
        else_=literal(STOPPED),
    )

    def rows(change: str, from_month: Month, reason, entitled_next):
        return (
            select(
                literal(str(month)).label("month"),
                literal(change).label("change"),
                Person.national_id,
                Person.full_name,
                Person.date_of_birth,
                Person.sex,
                Commune.province_code,
                Beneficiary.commune_code,
                Person.address,
                func.coalesce(per_person.c.codes, "").label("category_codes"),
                literal(str(from_month)).label("from_month"),
                reason.label("reason"),
            )
            .select_from(per_person)
            .join(Beneficiary, Beneficiary.id == per_person.c.beneficiary_id)
            .join(Person, Person.id == Beneficiary.person_id)
            .join(Commune, Commune.code == Beneficiary.commune_code)
            .join(residence, residence.c.code == Person.commune_code)
            .where(entitled_next == 0)
        )

    # Entitled in this month alone: the entitlement starts and ends in it, two rows.
    listed = union_all(
        rows(START, month, literal(""), per_person.c.before),
        rows(END, month + 1, end_reason, per_person.c.after),
    ).subquery("listed")
    return select(*listed.c).order_by(
        listed.c.province_code, listed.c.commune_code, listed.c.national_id, listed.c.change.desc()
    )


@dataclass(frozen=True)
class Counts:
    started: int
    ended: int

    def as_json(self) -> dict:
        return {"started": self.started, "ended": self.ended}


def _values(row) -> list:
    values = [
        row.month, row.change, row.national_id, row.full_name, row.date_of_birth.isoformat(),
        row.sex, row.province_code, row.commune_code, row.address or "", row.category_codes,
        row.from_month, row.reason,
    ]  # fmt: skip
    return [safe_text(value) for value in values]


def csv_chunks(month: Month, scope: Scope, counts: list | None = None) -> Iterator[str]:
    """The list as CSV text chunks: BOM, header, rows (interchange.md conventions). With
    ``counts`` (a list), a ``Counts`` is appended to it once the last row is written."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    buffer.write(BOM)
    writer.writerow(COLUMNS)
    started = ended = 0
    result = reader().execute(changes_select(month, scope).execution_options(yield_per=5000))
    for number, row in enumerate(result, start=1):
        writer.writerow(_values(row))
        if row.change == START:
            started += 1
        else:
            ended += 1
        if number % 5000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
    if counts is not None:
        counts.append(Counts(started, ended))


def write_csv(month: Month, scope: Scope, path) -> Counts:
    counts: list[Counts] = []
    with codecs.open(str(path), "w", encoding="utf-8") as out:
        for chunk in csv_chunks(month, scope, counts):
            out.write(chunk)
    return counts[0]


def file_name(month: Month, scope: Scope) -> str:
    """``bhyt-2025-03-01.csv``: the month and the scope (a province or a commune code)."""
    return f"bhyt-{month}-{scope.code}.csv"
