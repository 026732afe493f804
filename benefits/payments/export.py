"""The payment list as CSV (interchange.md section 3), streamed with flat memory."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator

from sqlalchemy import select

from benefits.extensions import db
from benefits.payments.models import PaymentBatch, PaymentLine

CSV_COLUMNS = (
    "month", "province_code", "commune_code", "payment_method", "payment_point", "line_no",
    "kind", "beneficiary_code", "national_id", "full_name", "date_of_birth", "address",
    "payee_name", "payee_national_id", "category_codes", "coefficient", "monthly_amount",
    "arrears_amount", "arrears_months", "one_off_amount", "total_amount",
)  # fmt: skip
BOM = "\ufeff"


def format_coefficient(pct: int) -> str:
    """``250`` → ``2.5``, ``300`` → ``3.0``, ``0`` → ``0`` (interchange.md section 3)."""
    if not pct:
        return "0"
    whole, hundredths = divmod(pct, 100)
    text = f"{whole}.{hundredths:02d}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _row(month: str, line) -> list:
    return [
        month, line.province_code, line.commune_code, line.payment_method,
        line.payment_point or "", line.line_no, line.kind, line.beneficiary_code,
        line.national_id, line.full_name, line.date_of_birth.isoformat(), line.address or "",
        line.payee_name, line.payee_national_id or "", line.category_codes,
        format_coefficient(line.coefficient_pct), line.monthly_amount, line.arrears_amount,
        line.arrears_months, line.one_off_amount, line.total_amount,
    ]  # fmt: skip


def csv_chunks(batch: PaymentBatch, rows_per_chunk: int = 5000) -> Iterator[str]:
    """The canonical CSV of a batch in text chunks: BOM, header, lines by ``line_no``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    buffer.write(BOM)
    writer.writerow(CSV_COLUMNS)
    month = str(batch.month)
    # Plain rows, not ORM objects, streamed from a server-side cursor: flat memory.
    table = PaymentLine.__table__
    lines = db.session.execute(
        select(table)
        .where(table.c.batch_id == batch.id)
        .order_by(table.c.line_no)
        .execution_options(yield_per=rows_per_chunk)
    )
    for count, line in enumerate(lines, start=1):
        writer.writerow(_row(month, line))
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_sha256(batch: PaymentBatch) -> str:
    digest = hashlib.sha256()
    for chunk in csv_chunks(batch):
        digest.update(chunk.encode("utf-8"))
    return digest.hexdigest()
