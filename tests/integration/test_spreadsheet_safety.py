"""Every file the portal writes for a spreadsheet program is safe to open (interchange.md
conventions, issue 27 item 6): a text cell that would begin with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is written with a leading apostrophe; money stays a
number, a negative one too."""

import csv
import io

import pytest
from sqlalchemy import text

from benefits.extensions import db
from benefits.payments.models import PaymentBatch
from benefits.spreadsheet import safe_text
from tests.integration.test_payment_batches import (  # noqa: F401 (fixture)
    caseload,
    cli,
    generate,
    payment_officer_client,
)
from tests.integration.xlsx_reading import read_xlsx

pytestmark = pytest.mark.usefixtures("caseload")

HOSTILE = {
    "full_name": '=HYPERLINK("http://x.example","Bấm")',
    "address": "+84 Tổ 3",
    "payee_name": "@SUM(1+1)",
    "payment_point": "-PO-HK-01",
}


def hostile_batch(app) -> int:
    """Hoàn Kiếm's March list (open), its lines rewritten with hostile text: the second
    with a tab and a carriage return, and an amount to recover (negative)."""
    batch_id = generate(app, "2025-03", "--commune", "00070")["batch_id"]
    sets = ", ".join(f"{column} = :{column}" for column in HOSTILE)
    db.session.execute(
        text(f"UPDATE payment_lines SET {sets} WHERE batch_id = :batch AND line_no = 1"),  # noqa: S608
        {**HOSTILE, "batch": batch_id},
    )
    db.session.execute(
        text("UPDATE payment_lines SET full_name = :name, address = :address, "
             "payee_name = :payee, arrears_amount = -250000, "
             "total_amount = monthly_amount - 250000 + one_off_amount "
             "WHERE batch_id = :batch AND line_no = 2"),
        {"name": "\tTab Văn", "address": "\rngõ 5", "payee": "Nguyễn-Văn =An", "batch": batch_id},
    )  # fmt: skip
    return batch_id


def test_safe_text_puts_an_apostrophe_before_a_formula_only():
    assert [safe_text(v) for v in ("=1", "+1", "-1", "@a", "\tx", "\rx", "a=1", "'=1", "")] == [
        "'=1", "'+1", "'-1", "'@a", "'\tx", "'\rx", "a=1", "'=1", ""]  # fmt: skip


def test_the_payment_csv_writes_hostile_text_as_text_and_money_as_numbers(app, tmp_path):
    batch_id = hostile_batch(app)
    out = tmp_path / "list.csv"
    result = cli(app, "payments", "export", str(batch_id), "--format", "csv", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline="")))
    first, second = rows[0], rows[1]
    for column, value in HOSTILE.items():
        assert first[column] == "'" + value
    assert second["full_name"] == "'\tTab Văn" and second["address"] == "'\rngõ 5"
    assert second["payee_name"] == "Nguyễn-Văn =An"  # begins with a letter: as it is
    assert second["arrears_amount"] == "-250000"  # money is never text
    assert int(second["total_amount"]) == int(second["monthly_amount"]) - 250_000
    # The download the payment officer gets from the batch page is the same file.
    download = payment_officer_client(app).get(f"/payments/batches/{batch_id}/export.csv")
    assert download.get_data() == out.read_bytes()


def test_postgresql_copy_writes_the_same_safe_bytes_as_python(app):
    from benefits.payments.export import _copied_csv_chunks, _written_csv_chunks

    if db.engine.dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    batch_id = hostile_batch(app)
    written = "".join(_written_csv_chunks(batch_id, "2025-03", rows_per_chunk=1))
    assert "'=HYPERLINK" in written
    assert "".join(_copied_csv_chunks(batch_id, "2025-03")) == written


def test_the_xlsx_writes_hostile_text_as_text_and_money_as_numbers(app, tmp_path):
    batch_id = hostile_batch(app)
    out = tmp_path / "list.xlsx"
    assert cli(app, "payments", "export", str(batch_id), "--format", "xlsx",
               "--out", str(out)).exit_code == 0  # fmt: skip
    from benefits.payments.export import CSV_COLUMNS

    rows = [row for sheet in read_xlsx(out).values() for row in sheet]
    # The header row is in the reader's language, in the CSV's order (decision 163).
    header = next(r for r in rows if r and "Họ và tên" in r)
    at = {name: i for i, name in enumerate(CSV_COLUMNS)}
    assert header[at["full_name"]] == "Họ và tên"
    lines = [r for r in rows if len(r) > at["total_amount"]
             and isinstance(r[at["line_no"]], int)]  # fmt: skip
    first, second = lines[0], lines[1]
    for column, value in HOSTILE.items():
        assert first[at[column]] == "'" + value
    assert second[at["full_name"]] == "'\tTab Văn"
    assert second[at["arrears_amount"]] == -250000  # a number cell, negative
    texts = [cell for row in rows for cell in row if isinstance(cell, str)]
    assert not [cell for cell in texts if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_the_signature_sheets_are_made_from_hostile_text_too(app, tmp_path):
    batch_id = hostile_batch(app)
    out = tmp_path / "sheets.pdf"
    result = cli(app, "payments", "export", str(batch_id), "--format", "pdf", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")
    assert db.session.get(PaymentBatch, batch_id).status == "open"
