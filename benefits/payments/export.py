"""The payment list as CSV (interchange.md section 3), streamed with flat memory."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Iterator

import xlsxwriter
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from benefits.extensions import db
from benefits.payments.models import PaymentBatch, PaymentLine
from benefits.rules.entitlement import format_coefficient
from benefits.spreadsheet import safe_text, safe_text_sql

CSV_COLUMNS = (
    "month", "province_code", "commune_code", "payment_method", "payment_point", "line_no",
    "kind", "beneficiary_code", "national_id", "full_name", "date_of_birth", "address",
    "payee_name", "payee_national_id", "category_codes", "coefficient", "monthly_amount",
    "arrears_amount", "arrears_months", "one_off_amount", "total_amount",
)  # fmt: skip
BOM = "\ufeff"


# interchange.md conventions, spreadsheet safety: the text columns whose values people
# typed or imported, written with a leading apostrophe when they would begin as a formula.
# The other text columns hold what the portal writes from checked codes (ID numbers of 12
# digits, codes, months, dates), which never begin so; number columns are never text.
FREE_TEXT_COLUMNS = ("payment_point", "full_name", "address", "payee_name")


def _row(month: str, line) -> list:
    """A line's cells in ``CSV_COLUMNS`` order: numbers as ints (and the coefficient as
    the contract writes it), free text made spreadsheet-safe."""
    s = safe_text
    return [
        month, line.province_code, line.commune_code, line.payment_method,
        s(line.payment_point or ""), line.line_no, line.kind, line.beneficiary_code,
        line.national_id, s(line.full_name), line.date_of_birth.isoformat(),
        s(line.address or ""), s(line.payee_name), line.payee_national_id or "",
        line.category_codes, format_coefficient(line.coefficient_pct), line.monthly_amount,
        line.arrears_amount, line.arrears_months, line.one_off_amount, line.total_amount,
    ]  # fmt: skip


def csv_chunks(batch: PaymentBatch, rows_per_chunk: int = 5000) -> Iterator[str]:
    """The canonical CSV of a batch in text chunks: BOM, header, lines by ``line_no``.

    On PostgreSQL the database writes the rows itself (``COPY ... TO STDOUT``, about 20×
    faster than formatting them in Python); elsewhere Python's csv module does. Both give
    the same bytes (a test compares them), so the SHA-256 recorded at lock is the same.
    """
    # Read now, not when the first chunk is asked for: a streamed answer runs after the
    # request's commit has expired (and its end may have detached) the batch.
    batch_id, month = int(batch.id), str(batch.month)
    if db.session.get_bind().dialect.name == "postgresql":
        return _copied_csv_chunks(batch_id, month)
    return _written_csv_chunks(batch_id, month, rows_per_chunk)


class _RowWriter:
    """Rows as PostgreSQL's ``COPY`` writes them: ended by ``\n``, a field quoted when it
    holds a comma, a quote, a new line or a carriage return. The csv module quotes only
    the letters of its line terminator: its rows end with ``\r\n`` here, cut to ``\n``."""

    def __init__(self, out: io.StringIO):
        self.out, self.row = out, io.StringIO()
        self.writer = csv.writer(self.row, lineterminator="\r\n")

    def writerow(self, values) -> None:
        self.writer.writerow(values)
        self.out.write(self.row.getvalue()[:-2] + "\n")
        self.row.seek(0)
        self.row.truncate()


def _written_csv_chunks(batch_id: int, month: str, rows_per_chunk: int = 5000) -> Iterator[str]:
    buffer = io.StringIO()
    writer = _RowWriter(buffer)
    buffer.write(BOM)
    writer.writerow(CSV_COLUMNS)
    # Plain rows, not ORM objects, streamed from a server-side cursor: flat memory.
    lines = _lines(batch_id, rows_per_chunk)
    for count, line in enumerate(lines, start=1):
        writer.writerow(_row(month, line))
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _copy_statement(batch_id: int, month: str) -> str:
    """The payment list as one ``COPY``: text columns that are empty become NULL, which
    PostgreSQL writes unquoted (as Python's csv module writes an empty string)."""

    def text(column: str) -> str:
        return f"NULLIF({column}, '')"

    def safe(column: str) -> str:  # as _row: spreadsheet-safe free text
        return text(safe_text_sql(column))

    # format_coefficient in SQL: 250 -> 2.5, 300 -> 3.0, 125 -> 1.25, 0 -> 0.
    coefficient = (
        "CASE WHEN coefficient_pct = 0 THEN '0' "
        "WHEN coefficient_pct % 100 = 0 THEN (coefficient_pct / 100) || '.0' "
        "WHEN coefficient_pct % 10 = 0 "
        "THEN (coefficient_pct / 100) || '.' || ((coefficient_pct % 100) / 10) "
        "ELSE (coefficient_pct / 100) || '.' || lpad((coefficient_pct % 100)::text, 2, '0') END"
    )
    values = [
        f"'{month}'", text("province_code"), text("commune_code"), text("payment_method"),
        safe("payment_point"), "line_no", text("kind"), text("beneficiary_code"),
        text("national_id"), safe("full_name"), "to_char(date_of_birth, 'YYYY-MM-DD')",
        safe("address"), safe("payee_name"), text("payee_national_id"), text("category_codes"),
        coefficient, "monthly_amount", "arrears_amount", text("arrears_months"),
        "one_off_amount", "total_amount",
    ]  # fmt: skip
    columns = ", ".join(
        f'{value} AS "{name}"' for value, name in zip(values, CSV_COLUMNS, strict=True)
    )
    return (  # only an integer id and a YYYY-MM month are put into the statement
        f"COPY (SELECT {columns} FROM payment_lines WHERE batch_id = {int(batch_id)} "  # noqa: S608
        "ORDER BY line_no) TO STDOUT WITH (FORMAT csv, HEADER true)"
    )


def _copied_csv_chunks(batch_id: int, month: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8")()
    yield BOM
    raw = db.session.connection().connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(_copy_statement(batch_id, month)) as copy:
        for data in copy:
            # COPY's chunks may cut a multi-byte letter in two: decode incrementally.
            yield decoder.decode(bytes(data))
    yield decoder.decode(b"", final=True)


def _lines(batch_id: int, rows_per_chunk: int = 5000):
    table = PaymentLine.__table__
    return db.session.execute(
        select(table)
        .where(table.c.batch_id == batch_id)
        .order_by(table.c.line_no)
        .execution_options(yield_per=rows_per_chunk)
    )


MONEY_COLUMNS = ("monthly_amount", "arrears_amount", "one_off_amount", "total_amount")

# An open batch's files say they are drafts (issue 27 item 3; interchange.md section 3: an
# open batch "can be exported too, for checking"). The list and its sheets are Vietnamese
# documents, read by the post office too: the words are both languages', as printed.
DRAFT_MARK = "BẢN NHÁP / DRAFT"
DRAFT_NOTE = (
    "BẢN NHÁP / DRAFT: danh sách chưa khóa, không dùng để chi trả / "
    "the batch is open, not for payment"
)


def is_draft(batch: PaymentBatch) -> bool:
    return batch.status != "locked"


def export_name(batch: PaymentBatch, kind: str) -> str:
    """The name of a batch's file (``list.csv``, ``list.xlsx``, ``sheets.pdf``): an open
    batch's ends in ``-draft``."""
    # The whole country's batch (one batch, interchange.md section 3) names no place.
    stem = f"chi-tra-{batch.month}-{batch.scope_code or 'toan-quoc'}"
    if kind == "sheets.pdf":
        stem = f"ky-nhan-{stem}"
    extension = kind.rsplit(".", 1)[1]
    return f"{stem}-draft.{extension}" if is_draft(batch) else f"{stem}.{extension}"


# The XLSX is read by people (issue 27 item 8; decision 163): its header row is in the
# reader's language (the request's, or Vietnamese from the CLI), in ``CSV_COLUMNS`` order;
# the CSV keeps the contract's column names.
XLSX_HEADERS = {
    "month": _l("Month"), "province_code": _l("Province code"),
    "commune_code": _l("Commune code"), "payment_method": _l("Payment method"),
    "payment_point": _l("Payment point"), "line_no": _l("Line no."), "kind": _l("Kind"),
    "beneficiary_code": _l("Beneficiary code"), "national_id": _l("ID number"),
    "full_name": _l("Full name"), "date_of_birth": _l("Date of birth"),
    "address": _l("Address"), "payee_name": _l("Paid to"),
    "payee_national_id": _l("Payee's ID number"), "category_codes": _l("Categories"),
    "coefficient": _l("Coefficient"), "monthly_amount": _l("Monthly amount (VND)"),
    "arrears_amount": _l("Arrears (VND)"), "arrears_months": _l("Arrears months"),
    "one_off_amount": _l("One-off support (VND)"), "total_amount": _l("Total (VND)"),
}  # fmt: skip
# Column widths in characters, wide enough for what the portal writes (a 12-digit ID
# number, a date, a name); at least the header's length.
XLSX_WIDTHS = {
    "month": 9, "province_code": 8, "commune_code": 8, "payment_method": 9,
    "payment_point": 14, "line_no": 7, "kind": 16, "beneficiary_code": 20,
    "national_id": 14, "full_name": 28, "date_of_birth": 12, "address": 36,
    "payee_name": 28, "payee_national_id": 14, "category_codes": 30, "coefficient": 8,
    "monthly_amount": 14, "arrears_amount": 14, "arrears_months": 20,
    "one_off_amount": 14, "total_amount": 14,
}  # fmt: skip
XLSX_TOTAL = _l("TOTAL")


def xlsx_headers() -> list[str]:
    """The XLSX's header row in the current language."""
    return [str(XLSX_HEADERS[name]) for name in CSV_COLUMNS]


def write_xlsx(batch: PaymentBatch, path) -> None:
    """One sheet per commune, with a totals row; written in constant memory, so the lines
    must come in list order (commune by commune). An open batch's sheets are named and
    headed as drafts: ``00070 (BẢN NHÁP - DRAFT)``, and a first row saying so.

    For the reader (decision 163): headers in the reader's language, frozen, with filters;
    columns as wide as what they hold; numbers as numbers (line number, coefficient,
    amounts) and the date of birth as a date."""

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    money = workbook.add_format({"num_format": "#,##0"})
    whole = workbook.add_format({"num_format": "0"})
    ratio = workbook.add_format({"num_format": "0.0#"})
    day = workbook.add_format({"num_format": "dd/mm/yyyy"})
    draft_format = workbook.add_format({"bold": True, "font_color": "#B00020", "font_size": 14})
    month = str(batch.month)
    draft = is_draft(batch)
    first_line_row = 2 if draft else 1
    headers = xlsx_headers()
    total_word = str(XLSX_TOTAL)
    at = {name: CSV_COLUMNS.index(name) for name in ("line_no", "coefficient", "date_of_birth")}
    sheet, commune, row, totals = None, None, 0, {}

    def open_sheet(name: str):
        title = f"{name} (BẢN NHÁP - DRAFT)" if draft else name
        new = workbook.add_worksheet(title)
        for col, column in enumerate(CSV_COLUMNS):
            new.set_column(col, col, max(XLSX_WIDTHS[column], len(headers[col]) // 2 + 2))
        if draft:
            new.write_string(0, 0, DRAFT_NOTE, draft_format)
        new.write_row(first_line_row - 1, 0, headers, header)
        new.freeze_panes(first_line_row, 0)
        return new

    def close_sheet():
        if sheet is not None:
            header_row = first_line_row - 1
            sheet.autofilter(header_row, 0, max(row - 1, header_row), len(CSV_COLUMNS) - 1)
            sheet.write_string(row, 0, total_word, header)
            for name, value in totals.items():
                sheet.write_number(row, CSV_COLUMNS.index(name), value, money)

    for line in _lines(batch.id):
        if line.commune_code != commune:
            close_sheet()
            commune, row = line.commune_code, first_line_row
            totals = dict.fromkeys(MONEY_COLUMNS, 0)
            sheet = open_sheet(commune)
        values = _row(month, line)
        for col, value in enumerate(values):
            if CSV_COLUMNS[col] in MONEY_COLUMNS:
                sheet.write_number(row, col, value, money)
            elif col == at["line_no"]:
                sheet.write_number(row, col, value, whole)
            elif col == at["coefficient"]:
                sheet.write_number(row, col, line.coefficient_pct / 100, ratio)
            elif col == at["date_of_birth"]:
                sheet.write_datetime(row, col, line.date_of_birth, day)
            else:
                sheet.write_string(row, col, str(value))
        for name in MONEY_COLUMNS:
            totals[name] += getattr(line, name)
        row += 1
    if sheet is None:
        sheet, row = open_sheet("—"), first_line_row
        totals = dict.fromkeys(MONEY_COLUMNS, 0)
    close_sheet()
    workbook.close()


def csv_sha256(batch: PaymentBatch) -> str:
    digest = hashlib.sha256()
    for chunk in csv_chunks(batch):
        digest.update(chunk.encode("utf-8"))
    return digest.hexdigest()
