"""Caseload import: migration of an existing caseload (interchange.md section 1).

One streaming pass over the file, never holding it in memory, then set-based SQL:
1. validate every row, report each problem as ``line N: column: reason`` (the header
   is line 1), and load the good rows into a temporary staging table (``COPY`` on
   PostgreSQL, ``executemany`` in large chunks on SQLite);
2. unless a row was bad and ``skip_invalid`` is off (then nothing is written), apply the
   staged rows to the registry with a few set-based statements.

Re-importing the same file changes nothing: the key is ``national_id``, and each
beneficiary keeps the fingerprint of the row it came from.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

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

from benefits.accounts.audit import Actor, record_audit
from benefits.errors import DomainError
from benefits.extensions import db
from benefits.month import Month
from benefits.people.names import vietnamese_sort_key
from benefits.people.national_id import InvalidNationalId, check_national_id
from benefits.places.models import Commune
from benefits.rules.entitlement import RuleBook, category_refusal

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
SINGLE_PARENT = "SINGLE_PARENT_POOR"
CHUNK = 20_000


class ImportRefused(DomainError):
    """The file cannot be imported at all (missing columns), or has bad rows."""


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
    seen_ids: set[int] = field(default_factory=set)


def _open_records(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Records of the file with their line number (header = 1); a BOM is accepted."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        _check_header(reader.fieldnames)
        yield from enumerate(reader, start=2)


def _check_header(fieldnames) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in (fieldnames or [])]
    if missing:
        raise ImportRefused(f"line 1: missing column(s): {', '.join(missing)}")


def _date(value: str) -> date:
    return date.fromisoformat(value.strip())


def parse_row(
    line_no: int, row: dict[str, str], ctx: _Context
) -> tuple[ParsedRow | None, list[str]]:
    """Check one record (interchange.md section 1); the problems as ``column: reason``."""
    problems: list[str] = []

    def get(name: str) -> str:
        return (row.get(name) or "").strip()

    def need(name: str) -> str:
        value = get(name)
        if not value:
            problems.append(f"{name}: required")
        return value

    national_id = need("national_id")
    full_name = need("full_name")
    sex = need("sex")
    if sex and sex not in ("M", "F"):
        problems.append("sex: must be M or F")
        sex = ""
    date_of_birth = None
    if raw := need("date_of_birth"):
        try:
            date_of_birth = _date(raw)
            if date_of_birth > ctx.today:
                problems.append("date_of_birth: in the future")
                date_of_birth = None
        except ValueError:
            problems.append(f"date_of_birth: not a date (YYYY-MM-DD): {raw}")
    if national_id:
        try:
            check_national_id(national_id, date_of_birth, sex or None)
        except InvalidNationalId as error:
            problems.append(f"national_id: {error}")
        else:
            key = int(national_id)
            if key in ctx.seen_ids:
                problems.append("national_id: appears twice in the file")
            ctx.seen_ids.add(key)
    commune_code = need("commune_code")
    if commune_code and commune_code not in ctx.communes:
        problems.append(f"commune_code: unknown commune {commune_code}")

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
            problems.append(f"decision_date: not a date (YYYY-MM-DD): {raw}")

    children = 0
    if raw := get("dependent_children"):
        try:
            children = int(raw)
            if children < 0:
                raise ValueError
        except ValueError:
            problems.append(f"dependent_children: not a whole number: {raw}")
            children = 0
    categories = [c.strip() for c in need("categories").split(";") if c.strip()]
    for code in categories:
        if code not in ctx.rules.categories:
            problems.append(f"categories: unknown category {code}")
        elif date_of_birth and effective_month:
            # domain.md section 3: the category must fit the age and take new entrants.
            refusal = category_refusal(code, date_of_birth, effective_month, ctx.rules)
            if refusal:
                problems.append(f"categories: {refusal}")
    if SINGLE_PARENT in categories and children < 1:
        problems.append(f"dependent_children: {SINGLE_PARENT} needs at least 1 child")

    method = need("payment_method")
    if method and method not in PAYMENT_METHODS:
        problems.append("payment_method: must be POST, BANK or COMMUNE")
    if method == "POST" and not get("payment_point"):
        problems.append("payment_point: required for POST")
    if method == "BANK":
        for name in ("bank_code", "bank_account"):
            if not get(name):
                problems.append(f"{name}: required for BANK")

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
    canonical = "\x1f".join(get(c) for c in COLUMNS)
    parsed.fingerprint = hashlib.sha1(canonical.encode(), usedforsecurity=False).hexdigest()
    return parsed, []


def _month(raw: str, column: str, problems: list[str]) -> Month | None:
    if not raw:
        return None
    try:
        return Month.parse(raw)
    except ValueError:
        problems.append(f"{column}: not a month (YYYY-MM): {raw}")
        return None


def import_caseload(
    path: Path,
    *,
    skip_invalid: bool,
    actor: Actor,
    report: Callable[[str], None],
    today: date | None = None,
) -> ImportResult:
    """Import a caseload file; ``report`` receives one line per problem."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        _check_header(next(csv.reader(fh), None))
    ctx = _context(today)
    result = ImportResult()
    staging = _Staging()
    staging.create()
    try:
        # One streaming pass validates every row and stages the good ones; nothing
        # reaches the registry before the whole file has been checked.
        staging.load(_good_rows(path, ctx, result, report))
        if result.invalid and not skip_invalid:
            raise ImportRefused(f"{result.invalid} invalid row(s): nothing imported")
        counts = staging.apply()
    finally:
        staging.drop()
    result.imported = counts.get("imported", 0)
    result.updated = counts.get("updated", 0)
    result.unchanged = counts.get("unchanged", 0)
    record_audit(actor, "registry.import", "caseload", path.name, result.as_dict())
    return result


def _good_rows(
    path: Path, ctx: _Context, result: ImportResult, report: Callable[[str], None]
) -> Iterator[ParsedRow]:
    for line_no, row in _open_records(path):
        parsed, problems = parse_row(line_no, row, ctx)
        if problems:
            result.invalid += 1
            for problem in problems:
                report(f"line {line_no}: {problem}")
        else:
            yield parsed


def _context(today: date | None) -> _Context:
    communes = frozenset(db.session.scalars(select(Commune.code)))
    return _Context(communes=communes, rules=RuleBook.load(db.session), today=today or date.today())


class _Staging:
    """Temporary tables holding the good rows, then set-based statements applying them."""

    def __init__(self) -> None:
        meta = MetaData()
        self.rows = Table(
            "import_rows",
            meta,
            Column("national_id", String(12), primary_key=True),
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
            # The categories as a JSON array, split in SQL: one COPY stream, no second list.
            Column("categories", String(400)),
            Column("outcome", String(10)),
            prefixes=["TEMPORARY"],
        )
        self.conn = db.session.connection()
        self.postgres = self.conn.dialect.name == "postgresql"

    def create(self) -> None:
        self.drop()
        self.rows.create(self.conn)

    def drop(self) -> None:
        self.conn.execute(text("DROP TABLE IF EXISTS import_rows"))

    def load(self, parsed_rows: Iterator[ParsedRow]) -> None:
        writer = self._copy if self.postgres else self._insert_chunks
        writer(parsed_rows)

    @staticmethod
    def _row_tuple(p: ParsedRow) -> tuple:
        return (
            p.national_id, p.full_name, vietnamese_sort_key(p.full_name), p.date_of_birth,
            p.sex, p.commune_code, p.address, p.dependent_children, p.decision_number,
            p.decision_date, p.effective_month.yyyymm,
            p.paid_through_month.yyyymm if p.paid_through_month else None, p.payment_method,
            p.payment_point, p.bank_code, p.bank_account, p.fingerprint, json.dumps(p.categories),
        )  # fmt: skip

    _ROW_COLUMNS = (
        "national_id", "full_name", "name_sort_key", "date_of_birth", "sex", "commune_code",
        "address", "dependent_children", "decision_number", "decision_date", "effective_month",
        "paid_through_month", "payment_method", "payment_point", "bank_code", "bank_account",
        "fingerprint", "categories",
    )  # fmt: skip

    def _copy(self, parsed_rows: Iterator[ParsedRow]) -> None:
        raw = self.conn.connection.driver_connection
        columns = ", ".join(self._ROW_COLUMNS)
        statement = f"COPY import_rows ({columns}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for p in parsed_rows:
                copy.write_row(self._row_tuple(p))
        # Temporary tables have no statistics until analysed: without them the planner
        # picks nested loops for the joins below.
        self.conn.execute(text("ANALYZE import_rows"))

    def _insert_chunks(self, parsed_rows: Iterator[ParsedRow]) -> None:
        rows: list[dict] = []
        for p in parsed_rows:
            rows.append(dict(zip(self._ROW_COLUMNS, self._row_tuple(p), strict=True)))
            if len(rows) >= CHUNK:
                self.conn.execute(self.rows.insert(), rows)
                rows.clear()
        if rows:
            self.conn.execute(self.rows.insert(), rows)

    @property
    def _categories_of_row(self) -> str:
        """The row's categories as rows ``c(value)``, split from the JSON array."""
        if self.postgres:
            return "CROSS JOIN LATERAL json_array_elements_text(CAST(r.categories AS json)) AS c"
        return "JOIN json_each(r.categories) AS c"

    def apply(self) -> dict[str, int]:
        now = datetime.now(UTC)
        run = self.conn.execute
        # Classify: same fingerprint = unchanged; known person = updated; else imported.
        run(
            text(
                "UPDATE import_rows SET outcome = 'unchanged' FROM persons p "
                "JOIN beneficiaries b ON b.person_id = p.id "
                "WHERE p.national_id = import_rows.national_id "
                "AND b.import_fingerprint = import_rows.fingerprint"
            )
        )
        run(
            text(
                "UPDATE import_rows SET outcome = 'updated' FROM persons p "
                "WHERE p.national_id = import_rows.national_id AND import_rows.outcome IS NULL"
            )
        )
        run(text("UPDATE import_rows SET outcome = 'imported' WHERE outcome IS NULL"))
        run(
            text(
                "INSERT INTO decisions (number, signed_on, commune_code, kind, legal_basis, "
                "created_at, updated_at) "
                "SELECT DISTINCT decision_number, decision_date, commune_code, 'grant', "
                "'caseload import', :now, :now FROM import_rows WHERE outcome <> 'unchanged' "
                "ON CONFLICT (commune_code, number, signed_on) DO NOTHING"
            ),
            {"now": now},
        )
        run(
            text(
                "INSERT INTO persons (national_id, full_name, name_sort_key, date_of_birth, sex, "
                "commune_code, "
                "address, created_at, updated_at) "
                "SELECT national_id, full_name, name_sort_key, date_of_birth, sex, commune_code, "
                "address, "
                ":now, :now "
                "FROM import_rows WHERE outcome <> 'unchanged' "
                "ON CONFLICT (national_id) DO UPDATE SET full_name = excluded.full_name, "
                "name_sort_key = excluded.name_sort_key, "
                "date_of_birth = excluded.date_of_birth, sex = excluded.sex, "
                "commune_code = excluded.commune_code, address = excluded.address, "
                "updated_at = excluded.updated_at"
            ),
            {"now": now},
        )
        run(
            text(
                "INSERT INTO residence_events (person_id, kind, commune_code, address, on_date, "
                "reference) "
                "SELECT p.id, 'registered', r.commune_code, r.address, r.decision_date, "
                "'caseload import' FROM import_rows r "
                "JOIN persons p ON p.national_id = r.national_id "
                "WHERE r.outcome = 'imported'"
            )
        )
        run(
            text(
                "INSERT INTO beneficiaries (code, person_id, commune_code, status, "
                "effective_month, "
                "paid_through_month, dependent_children, payment_method, payment_point, bank_code, "
                "bank_account, import_fingerprint, created_at, updated_at) "
                "SELECT 'BTXH-' || r.commune_code || '-' || "
                "substr(CAST(100000000 + p.id AS VARCHAR(12)), 2), p.id, r.commune_code, 'active', "
                "r.effective_month, r.paid_through_month, r.dependent_children, r.payment_method, "
                "r.payment_point, r.bank_code, r.bank_account, r.fingerprint, :now, :now "
                "FROM import_rows r JOIN persons p ON p.national_id = r.national_id "
                "WHERE r.outcome <> 'unchanged' "
                "ON CONFLICT (person_id) DO UPDATE SET commune_code = excluded.commune_code, "
                "effective_month = excluded.effective_month, "
                "paid_through_month = excluded.paid_through_month, "
                "dependent_children = excluded.dependent_children, "
                "payment_method = excluded.payment_method, payment_point = excluded.payment_point, "
                "bank_code = excluded.bank_code, bank_account = excluded.bank_account, "
                "import_fingerprint = excluded.import_fingerprint, updated_at = excluded.updated_at"
            ),
            {"now": now},
        )
        run(
            text(
                "DELETE FROM beneficiary_categories WHERE beneficiary_id IN ("
                "SELECT b.id FROM import_rows r JOIN persons p ON p.national_id = r.national_id "
                "JOIN beneficiaries b ON b.person_id = p.id WHERE r.outcome = 'updated')"
            )
        )
        run(
            # The interpolated fragment is a constant per dialect, never input.
            text(
                "INSERT INTO beneficiary_categories (beneficiary_id, category_code, from_month, "  # noqa: S608
                "decision_id) "
                "SELECT b.id, c.value, r.effective_month, d.id "
                f"FROM import_rows r {self._categories_of_row} "
                "JOIN persons p ON p.national_id = r.national_id "
                "JOIN beneficiaries b ON b.person_id = p.id "
                "JOIN decisions d ON d.commune_code = r.commune_code "
                "AND d.number = r.decision_number AND d.signed_on = r.decision_date "
                "WHERE r.outcome <> 'unchanged'"
            )
        )
        counts = run(text("SELECT outcome, COUNT(*) FROM import_rows GROUP BY outcome")).all()
        return {outcome: count for outcome, count in counts}
