"""The health-insurance list (danh sách cấp thẻ bảo hiểm y tế) sent each month to the
social-security office (ND20 Art 9; interchange.md section 4).

Every monthly-allowance beneficiary is entitled to a health-insurance card. The list of a
month ``M`` names each person whose entitlement **starts** in ``M`` (entitled in ``M``, not
in ``M - 1``) or **ends** in ``M`` (entitled in ``M``, not in ``M + 1``: ``from_month`` is
then ``M + 1``, the first month no longer entitled). "Entitled in a month" is the one
entitlement definition (``rules.entitlement_sql``) having an allowance due that month, so
a 5.5.b beneficiary who reaches 80 and continues under 5.5.c is in neither list, and a
child reaching 16 while not studying ends without any decision (decision 110).

Set-based: one SELECT over the registry and the rule tables, three months per person
whose entitlement may change around the month (a registry date or an age window near
it); everyone when a rule row takes effect then (decision 110).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Integer, case, func, literal, or_, select, union, union_all

from benefits.accounts.models import AuditEntry
from benefits.cases.models import Case
from benefits.month import Month
from benefits.people.models import Person
from benefits.places.models import Commune
from benefits.registry.lifecycle import MOVE_OUT_PROCEDURE
from benefits.registry.models import (
    Beneficiary,
    BeneficiaryCategory,
    Decision,
    SocialPensionPeriod,
)
from benefits.reports.reading import reader, without_jit
from benefits.reports.spreadsheet import safe_text
from benefits.rules.entitlement_sql import (
    REGISTRY_COLUMNS,
    month_index_of_date,
    monthly_entitlement_select,
    registry_rows,
)
from benefits.rules.models import Category, CoefficientRule, SocialPensionLevel, StandardLevel

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


def _rules_change_around(month: Month) -> bool:
    """Whether a rule row that may change who is entitled takes effect in ``month`` or the
    next (a standard level or social pension level, a coefficient), or a coefficient of 0
    exists (an age band with nothing due): then every beneficiary is evaluated."""
    months = (month.yyyymm, (month + 1).yyyymm)
    for table in (StandardLevel, SocialPensionLevel, CoefficientRule):
        if reader().scalar(select(table.id).where(table.effective_month.in_(months)).limit(1)):
            return True
    zero = select(CoefficientRule.id).where(CoefficientRule.coefficient_pct == 0).limit(1)
    return reader().scalar(zero) is not None


def _may_change(month: Month):
    """The ids of the beneficiaries whose entitlement may differ between ``month - 1``,
    ``month`` and ``month + 1``: a registry date in those months (start, last month, a
    category or a social pension period beginning or ending), or an age window of a
    category they hold opening or closing then (ND20 Art 8.1, 8.2). Only they go through
    the entitlement SQL; for everyone else the three months are the same."""
    near = (month - 1).yyyymm, month.yyyymm, (month + 1).yyyymm
    idx = month.index
    # The window of ``in_category_ages``: from the month of index birth + 12 × min_age,
    # through the month of index birth + 12 × max_age.
    birth = month_index_of_date(Person.date_of_birth)
    return union(
        select(Beneficiary.id).where(
            or_(Beneficiary.effective_month.in_(near), Beneficiary.last_entitled_month.in_(near))
        ),
        select(BeneficiaryCategory.beneficiary_id).where(
            or_(BeneficiaryCategory.from_month.in_(near), BeneficiaryCategory.to_month.in_(near))
        ),
        select(BeneficiaryCategory.beneficiary_id)
        .join(Category, Category.code == BeneficiaryCategory.category_code)
        .join(Beneficiary, Beneficiary.id == BeneficiaryCategory.beneficiary_id)
        .join(Person, Person.id == Beneficiary.person_id)
        .where(
            or_(Category.min_age.is_not(None), Category.max_age.is_not(None)),
            or_(
                (birth + 12 * Category.min_age).in_((idx, idx + 1)),
                (birth + 12 * Category.max_age).in_((idx - 1, idx)),
            ),
        ),
        select(SocialPensionPeriod.beneficiary_id).where(
            or_(SocialPensionPeriod.from_month.in_(near), SocialPensionPeriod.to_month.in_(near))
        ),
    )


def _pairs(month: Month, scope: Scope):
    """(beneficiary, month) for the months before, of and after ``month``, with the
    registry columns the entitlement reads, for the beneficiaries of the scope whose
    entitlement may change then (all of them when a rule changes)."""
    registry = registry_rows().where(scope.where(Beneficiary.commune_code, Commune.province_code))
    if not _rules_change_around(month):
        registry = registry.where(Beneficiary.id.in_(_may_change(month)))
    # Read once for the three months (a CTE referenced three times is materialised).
    registry = registry.cte("registry")
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
    # ND20 Art 8.4: the record's latest decision is the old commune's stop for a move to
    # another province (a MOVE-OUT-PROVINCE dossier's).
    latest_procedure = (
        select(Case.procedure_code)
        .join(Decision, Decision.case_id == Case.id)
        .where(Decision.beneficiary_id == Beneficiary.id)
        .order_by(Decision.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    # TT02 Art 2.1 / ND20 Art 8.2, 8.4: why an entitlement ends. A person now living in
    # another province than the commune that paid them has moved out too (decision 110).
    end_reason = case(
        (Person.died_on.is_not(None), literal(DEATH)),
        (latest_procedure == MOVE_OUT_PROCEDURE, literal(MOVED_OUT)),
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


@dataclass(frozen=True)
class _Row:
    month: str
    change: str
    national_id: str
    full_name: str
    date_of_birth: object
    sex: str
    province_code: str
    commune_code: str
    address: str | None
    category_codes: str
    from_month: str
    reason: str


def moves_across_provinces(month: Month, scope: Scope) -> list[_Row]:
    """ND20 Art 8.4 once the new province has granted: the one record went on from the
    old commune (paid through M) to the new one (from M + 1), so its months show no gap;
    the move's audit rows (``registry.moved``, with the commune before and after and the
    month paid through) give the old province's ``END`` in M and the new one's ``START``
    in M + 1. A few rows a month, read in Python."""
    found = reader().scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "registry.moved", AuditEntry.object_type == "beneficiary")
        .order_by(AuditEntry.id)
    )
    provinces = dict(reader().execute(select(Commune.code, Commune.province_code)).all())
    rows, seen = [], set()
    for entry in found:
        changes = entry.changes or {}
        old, new = (changes.get("commune") or [None, None])[:2]
        through = changes.get("paid_through") or ""
        if provinces.get(old) in (None, provinces.get(new)) or (entry.object_id, through) in seen:
            continue
        seen.add((entry.object_id, through))
        try:
            last = Month.parse(through)
        except ValueError:
            continue
        if last == month:
            change, commune, held = END, old, month
        elif last + 1 == month:
            change, commune, held = START, new, month
        else:
            continue
        if not _in_scope(scope, commune, provinces.get(commune)):
            continue
        rows.append(_move_row(month, change, entry.object_id, commune, provinces[commune], held))
    return [row for row in rows if row is not None]


def _in_scope(scope: Scope, commune: str, province: str | None) -> bool:
    if scope.commune_code:
        return commune == scope.commune_code
    return scope.province_code is None or province == scope.province_code


def _move_row(month, change, code, commune, province, held: Month) -> _Row | None:
    found = (
        reader()
        .execute(
            select(
                Beneficiary.id,
                Person.national_id,
                Person.full_name,
                Person.date_of_birth,
                Person.sex,
                Person.address,
            )  # fmt: skip
            .join(Person, Person.id == Beneficiary.person_id)
            .where(Beneficiary.code == code)
        )
        .first()
    )
    if found is None:
        return None
    # The categories of the old record's last month, or of the new commune's first.
    codes = (
        reader()
        .scalars(
            select(BeneficiaryCategory.category_code)
            .where(
                BeneficiaryCategory.beneficiary_id == found.id,
                BeneficiaryCategory.from_month <= (held if change == END else held + 1),
                or_(
                    BeneficiaryCategory.to_month.is_(None),
                    BeneficiaryCategory.to_month >= (held if change == END else held + 1),
                ),
            )  # fmt: skip
            .order_by(BeneficiaryCategory.category_code)
        )
        .all()
    )
    return _Row(
        str(month), change, found.national_id, found.full_name, found.date_of_birth,
        found.sex, province, commune, found.address, ";".join(codes),
        str(month + 1) if change == END else str(month), MOVED_OUT if change == END else "",
    )  # fmt: skip


def _sort_key(row):
    return (row.province_code, row.commune_code, row.national_id, row.change != START)


def _merged(rows, extra: list[_Row]):
    """The list's rows and the moves' in the list's order (both already sorted)."""
    extra = sorted(extra, key=_sort_key)
    position = 0
    for row in rows:
        while position < len(extra) and _sort_key(extra[position]) <= _sort_key(row):
            yield extra[position]
            position += 1
        yield row
    yield from extra[position:]


def csv_chunks(month: Month, scope: Scope, counts: list | None = None) -> Iterator[str]:
    """The list as CSV text chunks: BOM, header, rows (interchange.md conventions). With
    ``counts`` (a list), a ``Counts`` is appended to it once the last row is written."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    buffer.write(BOM)
    writer.writerow(COLUMNS)
    started = ended = 0
    without_jit(reader())
    moves = moves_across_provinces(month, scope)
    result = reader().execute(changes_select(month, scope).execution_options(yield_per=5000))
    for number, row in enumerate(_merged(result, moves), start=1):
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
