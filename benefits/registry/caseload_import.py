"""Caseload import: migration of an existing caseload (interchange.md section 1).

One streaming pass over the file, never holding it in memory, then set-based SQL:
1. validate every row, report each problem as ``line N: column: reason`` (the header
   is line 1), and load the good rows into a temporary staging table (``COPY`` on
   PostgreSQL, ``executemany`` in large chunks on SQLite). A row goes through plain
   lookups first (:func:`_fast_row`); only a row they cannot prove good goes through the
   reference check (:func:`parse_row`), which words every reason;
2. unless a row was bad and ``skip_invalid`` is off (then nothing is written), apply the
   staged rows to the registry with a few set-based statements: new persons and
   beneficiaries take the ids after the largest given so far (base + their row's number),
   so that no statement has to find them again; changed rows are updated, unchanged ones
   left alone. A large first load on PostgreSQL drops and makes again the registry's
   foreign keys and secondary indexes around the insertions (see ``BULK_TABLES``).

A file that cannot be read (empty, a required column missing or a column named twice,
bytes that are not UTF-8, a record the CSV reader refuses or with fewer or more fields
than the header) is refused whole in one line naming the line; a value no
registry column can hold (a NUL character, too long) makes a bad row (docs/decisions.md 45).

Re-importing the same file changes nothing: the key is ``national_id``, and each
beneficiary keeps the fingerprint of the row it came from.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import (
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError, IntegrityError

from benefits.accounts.audit import Actor, record_audit
from benefits.errors import DomainError
from benefits.extensions import db
from benefits.month import Month
from benefits.people.models import Person
from benefits.people.names import vietnamese_sort_key
from benefits.people.national_id import PROVINCE_CODES, InvalidNationalId, check_national_id
from benefits.places.calendar import vietnam_today
from benefits.places.models import Commune
from benefits.planner import planner_settings
from benefits.registry.models import Beneficiary, Decision
from benefits.rules.entitlement import RuleBook, category_refusal
from benefits.safe_text import FORMULA_FIRST, starts_like_a_formula

if TYPE_CHECKING:
    import pyarrow as pa

COLUMNS = (
    "national_id", "full_name", "date_of_birth", "sex", "commune_code", "address",
    "categories", "dependent_children", "decision_number", "decision_date",
    "effective_month", "paid_through_month", "payment_method", "payment_point",
    "bank_code", "bank_account",
)  # fmt: skip
REQUIRED_COLUMNS = (
    "national_id", "full_name", "date_of_birth", "sex", "commune_code", "categories",
    "decision_number", "decision_date", "effective_month", "payment_method",
)  # fmt: skip
PAYMENT_METHODS = ("POST", "BANK", "COMMUNE")
# The most characters of each free-text column: what the registry's columns hold (the
# other columns are checked against codes, digits or dates). A longer value is a bad row.
MAX_LENGTHS = {
    "full_name": Person.__table__.c.full_name.type.length,
    "address": Person.__table__.c.address.type.length,
    "decision_number": Decision.__table__.c.number.type.length,
    "payment_point": Beneficiary.__table__.c.payment_point.type.length,
    "bank_code": Beneficiary.__table__.c.bank_code.type.length,
    "bank_account": Beneficiary.__table__.c.bank_account.type.length,
}
# For the fast check (module constants are quicker to read than the mapping).
_NAME_MAX, _ADDRESS_MAX, _DECISION_MAX = (
    MAX_LENGTHS["full_name"], MAX_LENGTHS["address"], MAX_LENGTHS["decision_number"]
)  # fmt: skip
_POINT_MAX, _BANK_CODE_MAX, _BANK_ACCOUNT_MAX = (
    MAX_LENGTHS["payment_point"], MAX_LENGTHS["bank_code"], MAX_LENGTHS["bank_account"]
)  # fmt: skip
# No one raises 100 children: a larger figure is a slip (it multiplies the allowance,
# ND20 Art 6.1.d), and the database's integer ends at 2,147,483,647 (docs/decisions.md 45).
MAX_DEPENDENT_CHILDREN = 99
SINGLE_PARENT = "SINGLE_PARENT_POOR"


class ImportRefused(DomainError):
    """The file cannot be imported at all (empty, missing columns, not UTF-8, not CSV:
    docs/decisions.md 45), or has bad rows."""


@dataclass
class ImportResult:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "invalid": self.invalid,
        }


@dataclass
class ParsedRow:
    line_no: int
    national_id: str
    full_name: str
    date_of_birth: date
    sex: str
    commune_code: str
    address: str | None
    categories: list[str]
    dependent_children: int
    decision_number: str
    decision_date: date
    effective_month: Month
    paid_through_month: Month | None
    payment_method: str
    payment_point: str | None
    bank_code: str | None
    bank_account: str | None
    fingerprint: str = ""


@dataclass
class _Context:
    communes: frozenset[str]
    rules: RuleBook
    today: date
    # A set, or for a file checked by columns a caseload_columns.SeenIds (compact).
    seen_ids: set[int] = field(default_factory=set)
    # category -> (min_age, max_age, first month index closed to new entrants), for the
    # fast path; the messages come from ``category_refusal`` on the slow one.
    age_windows: dict[str, tuple[int | None, int | None, int | None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for code, rule in self.rules.categories.items():
            closed = rule.no_new_entrants_from
            self.age_windows[code] = (
                rule.min_age, rule.max_age, closed.index if closed is not None else None
            )  # fmt: skip


# Column name -> position in the tuple of values of a record (in ``COLUMNS`` order).
_AT = {name: i for i, name in enumerate(COLUMNS)}


def _open_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Records of the file with their line number (header = 1), as the stripped values
    of ``COLUMNS`` (empty when the column is not in the header); a BOM is accepted.

    Blank records (or of white space alone) are skipped and do not count. A record
    with fewer or more fields than the header has columns refuses the whole file
    (interchange.md conventions: a truncated last line included; decision 103).
    """
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = _header(reader)
        where = {name: i for i, name in enumerate(header)}
        width = len(header)
        # -1 reads the empty field appended to every record: a column not in the header.
        pick = operator.itemgetter(*(where.get(name, -1) for name in COLUMNS))
        line_no = 1
        try:
            for record in reader:
                if _blank(record):
                    continue
                line_no += 1
                if len(record) != width:
                    raise ImportRefused(_fields_not_as_the_header(line_no, len(record), width))
                record.append("")
                yield line_no, list(map(str.strip, pick(record)))
        except csv.Error as error:
            raise ImportRefused(_unreadable(line_no + 1, error)) from None


def _blank(record: list[str]) -> bool:
    """An empty line, or one of spaces alone (an editor's leftover): no record at all."""
    return not record or (len(record) == 1 and not record[0].strip())


def _fields_not_as_the_header(line_no: int, fields: int, width: int) -> str:
    reason = _(
        "%(fields)s fields where the header has %(columns)s columns: a line cut short, or a "
        "comma in a value without quotes (nothing imported)",
        fields=fields,
        columns=width,
    )
    return f"line {line_no}: {reason}"


def _header(reader) -> list[str]:
    """The header's column names, or :class:`ImportRefused` (interchange.md: one header
    row with the column names, in UTF-8)."""
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise ImportRefused(_unreadable(1, error)) from None
    if header is None:
        raise ImportRefused("line 1: " + _("the file is empty: no header row"))
    # interchange.md conventions: a header naming a column twice refuses the file (which
    # of the two would be read is a guess; decision 103).
    named = [name for name in header if name]
    twice = sorted({name for name in named if named.count(name) > 1}, key=named.index)
    if twice:
        columns = ", ".join(twice)
        raise ImportRefused(
            "line 1: " + _("column(s) named twice: %(columns)s (nothing imported)", columns=columns)
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        columns = ", ".join(missing)
        raise ImportRefused("line 1: " + _("missing column(s): %(columns)s", columns=columns))
    return header


def _unreadable(line_no: int, error: csv.Error) -> str:
    """A record the CSV reader refuses: the file is refused whole (docs/decisions.md 45)."""
    if str(error).startswith("field larger than field limit"):
        # In practice an unclosed quote that swallowed the rest of the file.
        reason = _(
            "a field longer than %(count)s characters: not a CSV file, or a quote left open "
            "(nothing imported)",
            count=csv.field_size_limit(),
        )
    else:
        reason = _("cannot be read as CSV: %(error)s (nothing imported)", error=str(error))
    return f"line {line_no}: {reason}"


def _not_utf8(path: Path) -> str:
    """The refusal of a file that is not UTF-8 (interchange.md conventions), naming the
    first record holding bytes that are not, counted as :func:`_open_records` counts."""
    line_no = 0
    with (
        path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as fh,
        contextlib.suppress(csv.Error),
    ):
        for record in csv.reader(fh):
            if line_no and _blank(record):
                continue
            line_no += 1
            try:
                "".join(record).encode()
            except UnicodeEncodeError:
                break
    reason = _("not UTF-8 text: save the file as UTF-8 (nothing imported)")
    return f"line {max(line_no, 1)}: {reason}"


def _date(value: str) -> date:
    return date.fromisoformat(value.strip())


def parse_row(line_no: int, values: list[str], ctx: _Context) -> tuple[ParsedRow | None, list[str]]:
    """Check one record (interchange.md section 1); the problems as ``column: reason``.

    ``values`` are the stripped fields in ``COLUMNS`` order. This is the reference check,
    and the one that words every reason, in the operator's language (docs/decisions.md 10);
    :func:`_fast_row` only shortcuts rows it proves good.
    """
    problems: list[str] = []
    if any("\x00" in value for value in values):
        # docs/decisions.md 45: a NUL character is a bad value of its column (no database
        # text holds it); the other checks read the value without it.
        for name, value in zip(COLUMNS, values, strict=True):
            if "\x00" in value:
                problems.append(f"{name}: " + _("contains a NUL character"))
        values = [value.replace("\x00", "") for value in values]
    for name, longest in MAX_LENGTHS.items():
        if len(values[_AT[name]]) > longest:
            problems.append(f"{name}: " + _("longer than %(count)s characters", count=longest))
        # interchange.md conventions: no free text a spreadsheet would run (decision 104).
        if starts_like_a_formula(values[_AT[name]]):
            problems.append(f"{name}: " + _(
                "begins with %(character)s: a spreadsheet would read it as a formula",
                character=values[_AT[name]][0]))  # fmt: skip

    def get(name: str) -> str:
        return values[_AT[name]]

    def need(name: str) -> str:
        value = get(name)
        if not value:
            problems.append(f"{name}: " + _("required"))
        return value

    national_id = need("national_id")
    full_name = need("full_name")
    sex = need("sex")
    if sex and sex not in ("M", "F"):
        problems.append("sex: " + _("must be M or F"))
        sex = ""
    date_of_birth = None
    if raw := need("date_of_birth"):
        try:
            date_of_birth = _date(raw)
            if date_of_birth > ctx.today:
                problems.append("date_of_birth: " + _("in the future"))
                date_of_birth = None
        except ValueError:
            problems.append(f"date_of_birth: {_not_a_date(raw)}")
    if national_id:
        try:
            check_national_id(national_id, date_of_birth, sex or None)
        except InvalidNationalId as error:
            problems.append(f"national_id: {error}")
        else:
            key = int(national_id)
            if key in ctx.seen_ids:
                problems.append("national_id: " + _("appears twice in the file"))
            ctx.seen_ids.add(key)
    commune_code = need("commune_code")
    if commune_code and commune_code not in ctx.communes:
        problems.append("commune_code: " + _("unknown commune %(code)s", code=commune_code))

    effective_month = _month(need("effective_month"), "effective_month", problems)
    paid_through = None
    if raw := get("paid_through_month"):
        paid_through = _month(raw, "paid_through_month", problems)
    decision_number = need("decision_number")
    decision_date = None
    if raw := need("decision_date"):
        try:
            decision_date = _date(raw)
        except ValueError:
            problems.append(f"decision_date: {_not_a_date(raw)}")

    children = 0
    if raw := get("dependent_children"):
        try:
            # Plain digits only: int() would also take "+2", "1_0" and other scripts'
            # digits (decision 40).
            if not (raw.isascii() and raw.isdigit()):
                raise ValueError
            children = int(raw)
            if children > MAX_DEPENDENT_CHILDREN:
                raise ValueError
        except ValueError:
            reason = _(
                "not a whole number from 0 to %(most)s: %(value)s",
                most=MAX_DEPENDENT_CHILDREN,
                value=raw,
            )
            problems.append(f"dependent_children: {reason}")
            children = 0
    categories = _categories(need("categories"))
    for code in categories:
        if code not in ctx.rules.categories:
            problems.append("categories: " + _("unknown category %(code)s", code=code))
        elif date_of_birth and effective_month:
            # domain.md section 3: the category must fit the age and take new entrants.
            refusal = category_refusal(code, date_of_birth, effective_month, ctx.rules)
            if refusal:
                problems.append(f"categories: {refusal}")
    if SINGLE_PARENT in categories and children < 1:
        needs = _("%(category)s needs at least 1 child", category=SINGLE_PARENT)
        problems.append(f"dependent_children: {needs}")

    method = need("payment_method")
    if method and method not in PAYMENT_METHODS:
        problems.append("payment_method: " + _("must be POST, BANK or COMMUNE"))
    if method == "POST" and not get("payment_point"):
        problems.append("payment_point: " + _("required for %(method)s", method="POST"))
    if method == "BANK":
        for name in ("bank_code", "bank_account"):
            if not get(name):
                problems.append(f"{name}: " + _("required for %(method)s", method="BANK"))

    if problems:
        return None, problems
    parsed = ParsedRow(
        line_no=line_no,
        national_id=national_id,
        full_name=full_name,
        date_of_birth=date_of_birth,
        sex=sex,
        commune_code=commune_code,
        address=get("address") or None,
        categories=categories,
        dependent_children=children,
        decision_number=decision_number,
        decision_date=decision_date,
        effective_month=effective_month,
        paid_through_month=paid_through,
        payment_method=method,
        payment_point=get("payment_point") or None,
        bank_code=get("bank_code") or None,
        bank_account=get("bank_account") or None,
    )
    parsed.fingerprint = _fingerprint(values)
    return parsed, []


def _not_a_date(raw: str) -> str:
    return _("not a date (YYYY-MM-DD): %(value)s", value=raw)


def _categories(raw: str) -> list[str]:
    """The codes of a ``categories`` field, each once, in their order."""
    return list(dict.fromkeys(c.strip() for c in raw.split(";") if c.strip()))


def _fingerprint(values: list[str]) -> str:
    canonical = "\x1f".join(values)
    return hashlib.sha1(canonical.encode(), usedforsecurity=False).hexdigest()


# The 4th digit of the ID number for a sex, by century of birth (Circular 59/2021 Art 7.2).
_CENTURY_DIGIT = {("0", "M"): 19, ("1", "F"): 19, ("2", "M"): 20, ("3", "F"): 20}


# A file holds a few hundred distinct months and some tens of thousands of distinct
# dates (births over a century): each is parsed once (measured, 3 µs of each row's check).
@functools.lru_cache(maxsize=65_536)
def _iso_date(raw: str) -> date | None:
    """``raw`` as a date when it is written exactly ``YYYY-MM-DD``, else ``None``."""
    if len(raw) != 10 or raw[4] != "-" or raw[7] != "-":
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


@functools.lru_cache(maxsize=4_096)
def _month_index(raw: str) -> tuple[int, str] | None:
    """``YYYY-MM`` as a month index (``Month.index``) and as staged (``YYYYMM``),
    ``None`` for anything else."""
    if len(raw) != 7 or raw[4] != "-" or not raw.isascii():
        return None
    year, month = raw[:4], raw[5:]
    if not (year.isdigit() and month.isdigit()):
        return None
    y, m = int(year), int(month)
    if y < 1 or not 1 <= m <= 12:
        return None
    return y * 12 + m - 1, str(y * 100 + m)


def _fast_row(values: list[str], ctx: _Context) -> tuple | None:
    """The staged values of a row proven good with plain lookups (strings, ``""`` for an
    optional field left empty: NULL), or ``None`` when any check is not met:
    :func:`parse_row` then decides and words the reasons.

    It accepts only what ``parse_row`` accepts, with the same result (a unit test holds
    them equal); the ID number is remembered only once the row is accepted.
    """
    (
        national_id, full_name, birth, sex, commune, address, categories, children,
        decision_number, decision_on, effective, paid_through, method, point, bank_code,
        bank_account,
    ) = values  # fmt: skip
    if not (full_name and decision_number and commune in ctx.communes):
        return None
    # The free texts, stripped: none may begin like a formula (decision 104).
    if (
        full_name[0] in FORMULA_FIRST
        or address[:1] in FORMULA_FIRST
        or decision_number[0] in FORMULA_FIRST
        or point[:1] in FORMULA_FIRST
        or bank_code[:1] in FORMULA_FIRST
        or bank_account[:1] in FORMULA_FIRST
    ):
        return None
    if (
        len(full_name) > _NAME_MAX
        or len(address) > _ADDRESS_MAX
        or len(decision_number) > _DECISION_MAX
        or len(point) > _POINT_MAX
        or len(bank_code) > _BANK_CODE_MAX
        or len(bank_account) > _BANK_ACCOUNT_MAX
    ):
        return None
    if not (len(national_id) == 12 and national_id.isascii() and national_id.isdigit()):
        return None
    century = _CENTURY_DIGIT.get((national_id[3], sex))
    if century is None or national_id[:3] not in PROVINCE_CODES:
        return None
    born = _iso_date(birth)
    if born is None or born > ctx.today or born.year // 100 != century:
        return None
    if national_id[4:6] != birth[2:4] or _iso_date(decision_on) is None:
        return None
    effective_month = _month_index(effective)
    if effective_month is None:
        return None
    month, effective_yyyymm = effective_month
    paid_through_yyyymm = ""
    if paid_through:
        paid_through_month = _month_index(paid_through)
        if paid_through_month is None:
            return None
        paid_through_yyyymm = paid_through_month[1]
    if not children:
        count = 0
    elif children.isascii() and children.isdigit() and len(children) <= 2:
        count = int(children)  # at most 99: MAX_DEPENDENT_CHILDREN
    else:
        return None
    codes = _categories(categories) if ";" in categories else [categories]
    if not (codes and codes[0]) or (SINGLE_PARENT in codes and count < 1):
        return None
    birth_month = born.year * 12 + born.month - 1
    for code in codes:
        window = ctx.age_windows.get(code)
        if window is None:
            return None
        min_age, max_age, closed_from = window
        # domain.md section 3 and ND20 Art 8.2, as ``RuleBook.in_age_window``.
        if closed_from is not None and month >= closed_from:
            return None
        if min_age is not None and (month - birth_month) // 12 < min_age:
            return None
        if max_age is not None and (month - 1 - birth_month) // 12 >= max_age:
            return None
    if method == "POST":
        if not point:
            return None
    elif method == "BANK":
        if not (bank_code and bank_account):
            return None
    elif method != "COMMUNE":
        return None
    key = int(national_id)
    if key in ctx.seen_ids:
        return None
    ctx.seen_ids.add(key)
    return (
        national_id, full_name, vietnamese_sort_key(full_name), birth, sex, commune,
        address, str(count), decision_number, decision_on, effective_yyyymm,
        paid_through_yyyymm, method, point, bank_code, bank_account, _fingerprint(values),
        ";".join(codes),
    )  # fmt: skip


def _fast_row_refusing_nul(values: list[str], ctx: _Context) -> tuple | None:
    """:func:`_fast_row` for a file holding a NUL character: a row with one goes to
    :func:`parse_row`, which reports it (docs/decisions.md 45)."""
    if any("\x00" in value for value in values):
        return None
    return _fast_row(values, ctx)


def _holds_nul(path: Path) -> bool:
    """Whether the file holds a NUL byte anywhere: one search at memory speed, so that
    the fast check of a clean file (all of them but broken ones) does not look for it.
    Read in blocks, not mapped: a mapped file would count whole in the process's memory."""
    with path.open("rb") as fh:
        return any(b"\x00" in block for block in iter(lambda: fh.read(1 << 20), b""))


def _staged(p: ParsedRow) -> tuple:
    """The staged values of a row :func:`parse_row` accepted (as ``_fast_row`` gives them)."""
    return (
        p.national_id, p.full_name, vietnamese_sort_key(p.full_name),
        p.date_of_birth.isoformat(), p.sex, p.commune_code, p.address or "",
        str(p.dependent_children), p.decision_number, p.decision_date.isoformat(),
        str(p.effective_month.yyyymm),
        str(p.paid_through_month.yyyymm) if p.paid_through_month else "", p.payment_method,
        p.payment_point or "", p.bank_code or "", p.bank_account or "", p.fingerprint,
        ";".join(p.categories),
    )  # fmt: skip


def _month(raw: str, column: str, problems: list[str]) -> Month | None:
    if not raw:
        return None
    try:
        return Month.parse(raw)
    except ValueError:
        problems.append(f"{column}: " + _("not a month (YYYY-MM): %(value)s", value=raw))
        return None


def import_caseload(
    path: Path,
    *,
    skip_invalid: bool,
    actor: Actor,
    report: Callable[[str], None],
    today: date | None = None,
) -> ImportResult:
    """Import a caseload file; ``report`` receives one line per problem.

    A file that cannot be read at all raises :class:`ImportRefused`, and so does one with
    bad rows unless ``skip_invalid``; the caller then rolls the transaction back.
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            _header(csv.reader(fh))
        return _import(path, skip_invalid=skip_invalid, actor=actor, report=report, today=today)
    except UnicodeDecodeError:
        raise ImportRefused(_not_utf8(path)) from None


def _import(
    path: Path,
    *,
    skip_invalid: bool,
    actor: Actor,
    report: Callable[[str], None],
    today: date | None,
) -> ImportResult:
    ctx = _context(today)
    result = ImportResult()
    staging = _Staging()
    staging.create(path.stat().st_size)
    try:
        # One streaming pass validates every row and stages the good ones; nothing
        # reaches the registry before the whole file has been checked.
        staged = staging.load(_good_blocks(path, ctx, result, report))
        if result.invalid and not skip_invalid:
            raise ImportRefused(
                _("%(count)s invalid row(s): nothing imported", count=result.invalid)
            )
        counts = staging.apply(staged)
    except BaseException:
        # A file found unreadable in the middle of the COPY leaves PostgreSQL refusing
        # every statement until the caller's rollback, which drops the tables anyway.
        with contextlib.suppress(DBAPIError):
            staging.drop()
        raise
    staging.drop()
    result.imported = counts["imported"]
    result.updated = counts["updated"]
    result.unchanged = counts["unchanged"]
    record_audit(actor, "registry.import", "caseload", path.name, result.as_dict())
    return result


def _good_blocks(
    path: Path, ctx: _Context, result: ImportResult, report: Callable[[str], None]
) -> Iterator[pa.Table | list[tuple]]:
    """The staged values of every good row, in blocks; the bad ones are counted and
    reported. A plain file (the usual one) is checked by columns (``caseload_columns``),
    any other record by record."""
    # Arrow is loaded by the import only, not by every process of the portal.
    from benefits.registry import caseload_columns

    def rest_of_file(from_line: int) -> Iterator[tuple]:
        # Row by row from here: the numbers seen as a set, for a look-up a row.
        ctx.seen_ids = set(ctx.seen_ids)
        return _good_rows(path, ctx, result, report, from_line=from_line)

    if not caseload_columns.plain_file(path):
        fast_row = _fast_row_refusing_nul if _holds_nul(path) else _fast_row
        yield from caseload_columns.in_blocks(_good_rows(path, ctx, result, report, fast_row))
        return
    with path.open(encoding="utf-8-sig", newline="") as fh:
        where = {name: i for i, name in enumerate(_header(csv.reader(fh)))}
    limits = caseload_columns.Limits(
        communes=ctx.communes,
        age_windows=ctx.age_windows,
        max_lengths=MAX_LENGTHS,
        single_parent=SINGLE_PARENT,
        today=ctx.today,
    )
    ctx.seen_ids = caseload_columns.SeenIds()
    yield from caseload_columns.staged_blocks(
        path,
        [where.get(name) for name in COLUMNS],
        limits,
        ctx.seen_ids,
        _STAGED,
        lambda line_no, values: _checked_record(line_no, values, ctx, result, report),
        rest_of_file,
    )


def _good_rows(
    path: Path,
    ctx: _Context,
    result: ImportResult,
    report: Callable[[str], None],
    fast_row: Callable[[list[str], _Context], tuple | None] | None = None,
    *,
    from_line: int = 2,
) -> Iterator[tuple]:
    """The staged values of every good row from line ``from_line`` on; the bad ones are
    counted and reported."""
    for line_no, values in _open_records(path):
        if line_no < from_line:
            continue
        staged = _checked_record(line_no, values, ctx, result, report, fast_row)
        if staged is not None:
            yield staged


def _checked_record(
    line_no: int,
    values: list[str],
    ctx: _Context,
    result: ImportResult,
    report: Callable[[str], None],
    fast_row: Callable[[list[str], _Context], tuple | None] | None = None,
) -> tuple | None:
    """A record's staged values, or ``None`` when it is bad (counted and reported)."""
    staged = (fast_row or _fast_row)(values, ctx)
    if staged is not None:
        return staged
    parsed, problems = parse_row(line_no, values, ctx)
    if problems:
        result.invalid += 1
        for problem in problems:
            report(f"line {line_no}: {problem}")
        return None
    return _staged(parsed)


def _context(today: date | None) -> _Context:
    communes = frozenset(db.session.scalars(select(Commune.code)))
    return _Context(
        communes=communes, rules=RuleBook.load(db.session), today=today or vietnam_today()
    )


# The staged columns, in the order of ``_fast_row``; ``seq`` (1, 2, ... in file order)
# comes first and gives each new person and beneficiary its id: base + seq, the base
# being the largest id given before the import.
_STAGED = (
    "national_id", "full_name", "name_sort_key", "date_of_birth", "sex", "commune_code",
    "address", "dependent_children", "decision_number", "decision_date", "effective_month",
    "paid_through_month", "payment_method", "payment_point", "bank_code", "bank_account",
    "fingerprint", "categories",
)  # fmt: skip
# The tables a first migration fills. When an import brings at least as many new persons
# as the registry holds (and BULK_ROWS or more), their foreign keys, primary and unique
# keys and secondary indexes are dropped for the load and made again after it, all in the
# import's transaction: one sort and one validating join each instead of a trigger call
# and an index insertion per row. The keys that foreign keys rely on stay (those of the
# persons, beneficiaries and decisions).
BULK_TABLES = (
    "decisions",
    "persons",
    "beneficiaries",
    "beneficiary_categories",
)
BULK_ROWS = 50_000
# The most of the session's memory the staged rows may take (``temp_buffers``, allocated
# as they are written): a file of up to about 400 MB fits whole.
TEMP_BUFFERS_MAX_MB = 1024


class _Staging:
    """Temporary tables holding the good rows, then set-based statements applying them."""

    def __init__(self) -> None:
        meta = MetaData()
        self.rows = Table(
            "import_rows",
            meta,
            Column("seq", Integer, nullable=False),
            Column("national_id", String(12)),
            Column("full_name", String(120)),
            Column("name_sort_key", String(600)),
            Column("date_of_birth", Date),
            Column("sex", String(1)),
            Column("commune_code", String(5)),
            Column("address", String(255)),
            Column("dependent_children", Integer),
            Column("decision_number", String(60)),
            Column("decision_date", Date),
            Column("effective_month", Integer),
            Column("paid_through_month", Integer),
            Column("payment_method", String(10)),
            Column("payment_point", String(40)),
            Column("bank_code", String(20)),
            Column("bank_account", String(40)),
            Column("fingerprint", String(40)),
            # The category codes joined by ";", split in SQL.
            Column("categories", String(400)),
            prefixes=["TEMPORARY"],
        )
        self.conn = db.session.connection()
        self.postgres = self.conn.dialect.name == "postgresql"

    def create(self, file_bytes: int) -> None:
        self.drop()
        if self.postgres:
            # Room for the staged rows in the session's local buffers (8 MB by default:
            # a million rows would go to disk and back for each statement, six times).
            # Staged, a row takes about twice its bytes in the file: measured at
            # 1,000,000 rows (291 MB staged), 256 MB left the last part of the table
            # on disk and the import took seconds longer. Only possible before the
            # session's first temporary table; kept when refused.
            megabytes = min(TEMP_BUFFERS_MAX_MB, max(256, file_bytes * 5 // 2 >> 20))
            try:
                with self.conn.begin_nested():
                    self.conn.execute(text(f"SET temp_buffers = '{megabytes}MB'"))
            except DBAPIError:
                pass
        self.rows.create(self.conn)

    def drop(self) -> None:
        self.conn.execute(text("DROP TABLE IF EXISTS import_rows"))
        self.conn.execute(text("DROP TABLE IF EXISTS import_known"))

    def load(self, blocks: Iterator[pa.Table | list[tuple]]) -> int:
        """Stage the rows, given in blocks; the number staged."""
        writer = self._copy if self.postgres else self._insert_chunks
        return writer(blocks)

    def _copy(self, blocks: Iterator[pa.Table | list[tuple]]) -> int:
        from benefits.registry.caseload_columns import as_csv  # Arrow: the import's own

        raw = self.conn.connection.driver_connection
        # CSV written by Arrow: an optional field left empty (required ones never are)
        # is written "" and staged NULL.
        columns = ", ".join(_STAGED)
        statement = (
            f"COPY import_rows (seq, {columns}) FROM STDIN (FORMAT csv, FORCE_NULL ({columns}))"
        )
        seq = 0
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            # The next block is checked while the server reads this one
            # (caseload_columns.staged_blocks).
            for block in blocks:
                rows, data = as_csv(block, seq + 1, _STAGED)
                if rows:
                    copy.write(memoryview(data))
                    seq += rows
        # Temporary tables have no statistics until analysed: without them the planner
        # picks nested loops for the joins below.
        # A sample of 3,000 rows (30,000 by default) is enough for the plans below.
        self.conn.execute(text("SET LOCAL default_statistics_target = 10"))
        self.conn.execute(text("ANALYZE import_rows"))
        self.conn.execute(text("SET LOCAL default_statistics_target = DEFAULT"))
        return seq

    def _insert_chunks(self, blocks: Iterator[pa.Table | list[tuple]]) -> int:
        from benefits.registry.caseload_columns import as_rows  # Arrow: the import's own

        statement = (
            f"INSERT INTO import_rows (seq, {', '.join(_STAGED)}) "  # noqa: S608 (constants)
            f"VALUES ({', '.join('?' * (len(_STAGED) + 1))})"
        )
        cursor = self.conn.connection.driver_connection.cursor()
        seq = 0
        for block in blocks:
            chunk = [
                (seq, *(value or None for value in values))
                for seq, values in enumerate(as_rows(block), start=seq + 1)
            ]
            if chunk:
                cursor.executemany(statement, chunk)
                seq = chunk[-1][0]
        cursor.close()
        return seq

    @property
    def _categories_of_row(self) -> str:
        """The row's categories as rows ``c(value)``, split from the ``;``-joined codes."""
        if self.postgres:
            return "CROSS JOIN LATERAL unnest(string_to_array(r.categories, ';')) AS c(value)"
        # SQLite has no split: the codes (checked, so plain letters) become a JSON array.
        return "JOIN json_each('[\"' || replace(r.categories, ';', '\",\"') || '\"]') AS c"

    def apply(self, staged: int) -> dict[str, int]:
        """Apply the staged rows; how many were imported, updated and unchanged."""
        if not staged:
            return {"imported": 0, "updated": 0, "unchanged": 0}
        params = {"now": datetime.now(UTC)}
        if self.postgres:
            # A few large statements: compiling them (JIT) costs more than it saves.
            self._run("SET LOCAL jit = off")
            # No person, beneficiary or decision may be created by anyone else between
            # the classification and the insertions, nor take an id after the sequences'
            # last value: those are the import's until its end sets the sequences past
            # the last one it took.
            self._run("LOCK TABLE persons, beneficiaries, decisions IN SHARE ROW EXCLUSIVE MODE")
        # Rows whose person is known: same fingerprint = unchanged, otherwise updated.
        self._run(
            "CREATE TEMPORARY TABLE import_known AS "
            "SELECT r.seq, p.id AS person_id, b.id AS beneficiary_id, "
            "CASE WHEN b.import_fingerprint = r.fingerprint THEN 1 ELSE 0 END AS same "
            "FROM import_rows r JOIN persons p ON p.national_id = r.national_id "
            "LEFT JOIN beneficiaries b ON b.person_id = p.id"
        )
        self._run("CREATE INDEX import_known_seq ON import_known (seq)")
        if self.postgres:
            self._run("ANALYZE import_known")
        known = dict(self._run("SELECT same, COUNT(*) FROM import_known GROUP BY same").all())
        unchanged, updated = known.get(1, 0), known.get(0, 0)
        imported = staged - unchanged - updated
        # A new person and their beneficiary take the id base + seq (past the largest
        # id given so far): no statement has to find them again by ID number.
        params["persons"] = self._id_base("persons")
        params["beneficiaries"] = self._id_base("beneficiaries")
        params["decisions"] = self._id_base("decisions")
        if updated:
            self._apply_updates(params)
        bulk = self._bulk_load_pays(imported)
        restore = self._drop_constraints() if bulk else []
        if self.postgres and bulk:
            # Server-side memory for the hash joins and index sorts of this transaction.
            self._run("SET LOCAL work_mem = '256MB'")
            self._run("SET LOCAL maintenance_work_mem = '256MB'")
        # The decisions' unique key may be made with their insertion (_one_decision_a_row).
        decision_key = next((entry for entry in restore if entry[:2] == ("decisions", "u")), None)
        made_key = self._insert_rows(
            params,
            unchanged=unchanged,
            updated=updated,
            bulk=bulk,
            decision_key=decision_key[2] if decision_key else None,
        )
        for entry in restore:
            if not (made_key and entry is decision_key):
                self._run(entry[2])
        self._claim_ids("persons", params["persons"])
        self._claim_ids("beneficiaries", params["beneficiaries"])
        self._claim_ids("decisions", params["decisions"])
        return {"imported": imported, "updated": updated, "unchanged": unchanged}

    def _run(self, sql: str, params: dict | None = None):
        return self.conn.execute(text(sql), params or {})

    def _id_base(self, table: str) -> int:
        """The largest id the table's sequence has given (PostgreSQL; the table is locked)
        or the table holds (SQLite: one writer at a time, ids are MAX(id) + 1 anyway)."""
        if not self.postgres:
            return self._run(f"SELECT COALESCE(MAX(id), 0) FROM {table}").scalar_one()  # noqa: S608
        sequence = self._run(f"SELECT pg_get_serial_sequence('{table}', 'id')").scalar_one()
        return self._run(
            f"SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM {sequence}"  # noqa: S608
        ).scalar_one()

    def _claim_ids(self, table: str, base: int) -> None:
        """Set the table's sequence to the last id the import took, if it took any
        (PostgreSQL): a re-import of known persons uses up no id (the ids of the rows
        between new ones are left unused)."""
        if self.postgres:
            self._run(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) "  # noqa: S608
                f"FROM {table} WHERE id > :base HAVING MAX(id) IS NOT NULL",
                {"base": base},
            )

    def _apply_updates(self, params: dict) -> None:
        """Known persons whose row changed: their person, beneficiary and categories."""
        changed = "FROM import_rows r JOIN import_known k ON k.seq = r.seq WHERE k.same = 0"
        self._run(
            "UPDATE persons SET full_name = r.full_name, name_sort_key = r.name_sort_key, "  # noqa: S608 (constant fragments)
            "date_of_birth = r.date_of_birth, sex = r.sex, commune_code = r.commune_code, "
            f"address = r.address, updated_at = :now {changed} AND persons.id = k.person_id",
            params,
        )
        self._run(
            "UPDATE beneficiaries SET commune_code = r.commune_code, "  # noqa: S608 (constant fragments)
            "effective_month = r.effective_month, paid_through_month = r.paid_through_month, "
            "dependent_children = r.dependent_children, payment_method = r.payment_method, "
            "payment_point = r.payment_point, bank_code = r.bank_code, "
            "bank_account = r.bank_account, import_fingerprint = r.fingerprint, "
            f"updated_at = :now {changed} AND beneficiaries.id = k.beneficiary_id",
            params,
        )
        # A known person not yet a beneficiary becomes one.
        self._insert_beneficiaries("k.person_id", f"{changed} AND k.beneficiary_id IS NULL", params)
        # docs/decisions.md: an updated row replaces the person's categories.
        self._run(
            "DELETE FROM beneficiary_categories WHERE beneficiary_id IN ("
            "SELECT beneficiary_id FROM import_known WHERE same = 0)"
        )

    def _insert_beneficiaries(self, person_id: str, rows: str, params: dict) -> None:
        """A beneficiary (id: base + seq) for each staged row of ``rows`` (a
        constant ``FROM ... WHERE`` fragment), of the person whose id ``person_id`` gives."""
        self._run(
            "INSERT INTO beneficiaries (id, code, person_id, commune_code, status, "  # noqa: S608 (constant fragments)
            "effective_month, paid_through_month, dependent_children, payment_method, "
            "payment_point, bank_code, bank_account, import_fingerprint, created_at, updated_at) "
            "SELECT :beneficiaries + r.seq, 'BTXH-' || r.commune_code || '-' || "
            f"substr(CAST(100000000 + {person_id} AS VARCHAR(12)), 2), {person_id}, "
            "r.commune_code, 'active', r.effective_month, r.paid_through_month, "
            "r.dependent_children, r.payment_method, r.payment_point, r.bank_code, "
            f"r.bank_account, r.fingerprint, :now, :now {rows}",
            params,
        )

    def _insert_rows(
        self, params: dict, *, unchanged: int, updated: int, bulk: bool, decision_key: str | None
    ) -> bool:
        """New persons and beneficiaries (ids: base + seq), the decisions,
        and the categories of the new and updated rows.

        ``decision_key`` is the statement making the decisions' unique key again when the
        load dropped it; whether it was made here (see :meth:`_one_decision_a_row`).
        """
        new = (
            "WHERE NOT EXISTS (SELECT 1 FROM import_known k WHERE k.seq = r.seq)"
            if unchanged or updated
            else ""
        )
        not_unchanged = (
            "WHERE NOT EXISTS (SELECT 1 FROM import_known k WHERE k.seq = r.seq AND k.same = 1)"
            if unchanged
            else ""
        )
        # A first migration finds no decision to keep (measured: 0.3 s of passing 1,000,000
        # rows through a join with nothing).
        some_known = self._run("SELECT EXISTS (SELECT 1 FROM decisions)").scalar_one()
        known = (
            "WHERE NOT EXISTS (SELECT 1 FROM decisions d WHERE d.commune_code = n.commune_code "
            "AND d.number = n.decision_number AND d.signed_on = n.decision_date)"
            if some_known
            else ""
        )
        made_key = (
            not some_known
            and decision_key is not None
            and self._one_decision_a_row(params, not_unchanged, decision_key)
        )
        if made_key:
            own_decisions = True
        else:
            # A new decision takes the id base + the seq of its first row, in the order of
            # their ids: each goes to the end of the primary key's index (measured at
            # 1,000,000: 1.35 s, against 3.0 s in the aggregate's order).
            made = self._insert_decisions(
                "(SELECT MIN(seq) AS seq, decision_number, decision_date, commune_code "  # noqa: S608 (constant fragments)
                f"FROM import_rows r {not_unchanged} "
                f"GROUP BY decision_number, decision_date, commune_code) AS n {known} "
                "ORDER BY n.seq",
                params,
            )
            # As many new decisions as rows applied: each row has its own, whose id is
            # base + the row's seq, and its categories need not look it up (measured at
            # 1,000,000 rows: the join took 1.6 s of the categories' 2.7 s).
            own_decisions = (
                not some_known
                and made
                == self._run(
                    f"SELECT COUNT(*) FROM import_rows r {not_unchanged}"  # noqa: S608 (constant fragments)
                ).scalar_one()
            )
        if bulk and not own_decisions:
            # Statistics of the decisions just loaded, for the categories' join below.
            self._run("ANALYZE decisions")
        self._run(
            "INSERT INTO persons (id, national_id, full_name, name_sort_key, date_of_birth, "  # noqa: S608 (constant fragments)
            "sex, commune_code, address, created_at, updated_at) "
            "SELECT :persons + r.seq, r.national_id, r.full_name, r.name_sort_key, "
            "r.date_of_birth, r.sex, r.commune_code, r.address, :now, :now "
            f"FROM import_rows r {new}",
            params,
        )
        self._insert_beneficiaries(":persons + r.seq", f"FROM import_rows r {new}", params)
        if updated:
            holder = "COALESCE(k.beneficiary_id, :beneficiaries + r.seq)"
            rows = "LEFT JOIN import_known k ON k.seq = r.seq"
            wanted = "WHERE k.seq IS NULL OR k.same = 0"
        elif unchanged:  # every known row is unchanged
            holder, rows, wanted = ":beneficiaries + r.seq", "", new
        else:
            holder, rows, wanted = ":beneficiaries + r.seq", "", ""
        if own_decisions:
            decision, of_row = ":decisions + r.seq", ""
        else:
            decision = "d.id"
            of_row = (
                "JOIN decisions d ON d.commune_code = r.commune_code "
                "AND d.number = r.decision_number AND d.signed_on = r.decision_date"
            )
        # Measured at 1,000,000 rows: the planner sorts both sides for a merge join
        # (4.8 s) where hashing the decisions takes 3.0 s.
        with planner_settings(self.conn, {"enable_mergejoin": "off"}):
            self._run(
                # The interpolated fragments are constants, never input.
                "INSERT INTO beneficiary_categories (beneficiary_id, category_code, "  # noqa: S608
                f"from_month, decision_id) SELECT {holder}, c.value, r.effective_month, "
                f"{decision} FROM import_rows r {self._categories_of_row} {rows} {of_row} "
                f"{wanted}",
                params,
            )
        return made_key

    def _one_decision_a_row(self, params: dict, not_unchanged: str, decision_key: str) -> bool:
        """A first migration usually brings one decision a person: try that first, each
        row's decision taking the id base + the row's seq, with no grouping of the rows by
        decision (measured at 1,000,000 rows: the grouping and its sort took 2.0 s of the
        decisions' 4.5 s). Making the unique key again, which the load needs anyway,
        proves no two rows named the same decision; when some did, the attempt is undone
        and ``False`` returned, for the rows to be grouped."""
        try:
            with self.conn.begin_nested():
                # Staged in seq order: each id goes to the end of the primary key's index.
                self._insert_decisions(
                    "(SELECT seq, decision_number, decision_date, commune_code "  # noqa: S608 (constant fragments)
                    f"FROM import_rows r {not_unchanged}) AS n",
                    params,
                )
                self._run(decision_key)
        except IntegrityError:
            return False
        return True

    def _insert_decisions(self, rows: str, params: dict) -> int:
        """A decision (id: base + ``n.seq``) for each row ``n`` of ``rows``, a constant
        ``FROM`` fragment giving ``seq``, ``decision_number``, ``decision_date`` and
        ``commune_code``; how many were inserted."""
        return self._run(
            "INSERT INTO decisions (id, number, signed_on, commune_code, kind, legal_basis, "  # noqa: S608 (constant fragments)
            "created_at, updated_at) SELECT :decisions + n.seq, n.decision_number, "
            "n.decision_date, n.commune_code, 'grant', 'caseload import', :now, :now "
            f"FROM {rows}",
            params,
        ).rowcount

    def _bulk_load_pays(self, new_rows: int) -> bool:
        if not self.postgres or new_rows < BULK_ROWS:
            return False
        if new_rows < self._run("SELECT COUNT(*) FROM persons").scalar_one():
            return False
        # Only the tables' owner may drop and add constraints; anyone else loads row by row.
        return self._run(
            "SELECT bool_and(pg_has_role(c.relowner, 'MEMBER')) FROM pg_class c "
            "WHERE c.oid = ANY(CAST(:tables AS regclass[]))",
            {"tables": list(BULK_TABLES)},
        ).scalar_one()

    def _drop_constraints(self) -> list[tuple[str, str, str]]:
        """Drop the foreign keys, primary and unique keys and secondary indexes of
        ``BULK_TABLES`` (checks stay); the statements making them again, indexes first,
        each as (table, kind: "i" index, "p" primary, "u" unique or "f" foreign key, SQL).
        A key another table's foreign key relies on stays (the primary keys of persons,
        beneficiaries and decisions): measured on 1,000,000 rows, an insertion with the
        primary key took 1.4 to 1.6 s, without it 0.8 s and 0.2 to 0.4 s to make it."""
        tables = {"tables": list(BULK_TABLES)}
        constraints = self._run(
            "SELECT CAST(CAST(c.conrelid AS regclass) AS text), quote_ident(c.conname), "
            "pg_get_constraintdef(c.oid), c.contype FROM pg_constraint c "
            "WHERE c.conrelid = ANY(CAST(:tables AS regclass[])) "
            "AND c.contype IN ('f', 'p', 'u') "
            "AND (c.contype = 'f' OR NOT EXISTS (SELECT 1 FROM pg_constraint f "
            "WHERE f.contype = 'f' AND f.conindid = c.conindid)) "
            "ORDER BY c.contype, c.conname",
            tables,
        ).all()
        indexes = self._run(
            "SELECT CAST(CAST(i.indrelid AS regclass) AS text), "
            "CAST(CAST(i.indexrelid AS regclass) AS text), pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i WHERE i.indrelid = ANY(CAST(:tables AS regclass[])) "
            "AND NOT i.indisprimary AND NOT EXISTS ("
            "SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            tables,
        ).all()
        # Foreign keys ('f') sort before primary ('p') and unique keys ('u'): dropped first.
        for table, name, _definition, _kind in constraints:
            self._run(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        for _table, index, _definition in indexes:
            self._run(f"DROP INDEX {index}")
        keys = [c for c in constraints if c[3] in ("p", "u")]
        foreign_keys = [c for c in constraints if c[3] == "f"]
        return [
            *((table, "i", definition) for table, _index, definition in indexes),
            *((t, kind, f"ALTER TABLE {t} ADD CONSTRAINT {n} {d}") for t, n, d, kind in keys),
            *((t, "f", f"ALTER TABLE {t} ADD CONSTRAINT {n} {d}") for t, n, d, _k in foreign_keys),
        ]
