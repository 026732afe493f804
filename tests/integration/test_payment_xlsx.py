"""The payment list's XLSX as its reader needs it (issue 27 item 8; decision 163): headers
in the reader's language, numbers as numbers, the date of birth as a date, column widths,
a frozen header row and filters; the CSV keeps the contract's columns."""

import re
import zipfile

import pytest

from benefits.payments.export import CSV_COLUMNS
from tests.integration.test_payment_batch_pages import payment_officer
from tests.integration.test_payment_batches import caseload, cli, generate  # noqa: F401
from tests.integration.xlsx_reading import read_xlsx

pytestmark = pytest.mark.usefixtures("caseload")


def locked_batch(app) -> int:
    batch_id = generate(app, "2025-03", "--commune", "00070")["batch_id"]
    assert cli(app, "payments", "lock", str(batch_id)).exit_code == 0
    return batch_id


def download(client, batch_id, tmp_path, name="list.xlsx"):
    out = tmp_path / name
    out.write_bytes(client.get(f"/payments/batches/{batch_id}/export.xlsx").data)
    return out


def test_the_headers_are_in_the_readers_language(app, tmp_path):
    batch_id = locked_batch(app)
    client = payment_officer(app)
    client.set_cookie("lang", "vi")
    [rows] = read_xlsx(download(client, batch_id, tmp_path)).values()
    header = rows[0]
    assert header[:2] == ["Tháng", "Mã tỉnh"]
    assert {"STT", "Họ và tên", "Hệ số", "Tổng cộng (đồng)"} <= set(header)
    assert rows[-1][0] == "TỔNG CỘNG"
    client.get("/language/en")
    [rows] = read_xlsx(download(client, batch_id, tmp_path, "en.xlsx")).values()
    assert rows[0][:2] == ["Month", "Province code"]
    assert {"Line no.", "Full name", "Coefficient", "Total (VND)"} <= set(rows[0])
    assert rows[-1][0] == "TOTAL"
    assert not set(CSV_COLUMNS) & set(rows[0])  # no code as a header


def test_numbers_are_numbers_and_the_date_of_birth_a_date(app, tmp_path):
    batch_id = locked_batch(app)
    [rows] = read_xlsx(download(payment_officer(app), batch_id, tmp_path)).values()
    at = {name: CSV_COLUMNS.index(name) for name in CSV_COLUMNS}
    lines = rows[1:-1]
    assert [line[at["line_no"]] for line in lines] == list(range(1, len(lines) + 1))
    coefficients = {line[at["coefficient"]] for line in lines}
    assert coefficients and all(isinstance(c, int | float) for c in coefficients)
    assert 1.5 in coefficients or 2.5 in coefficients or 3 in coefficients
    assert all(isinstance(line[at["date_of_birth"]], int) for line in lines)  # a date serial
    assert all(isinstance(line[at["total_amount"]], int) for line in lines)
    assert all(isinstance(line[at["national_id"]], str) for line in lines)  # leading zeros kept


def test_the_header_is_frozen_filtered_and_the_columns_have_widths(app, tmp_path):
    batch_id = locked_batch(app)
    out = download(payment_officer(app), batch_id, tmp_path)
    with zipfile.ZipFile(out) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    last_line_row = len(read_xlsx(out)["00070"]) - 1  # the row before the totals
    assert re.search(r'<pane ySplit="1" topLeftCell="A2" [^>]*state="frozen"', sheet)
    assert f'<autoFilter ref="A1:U{last_line_row}"/>' in sheet
    cols = re.findall(r'<col min="(\d+)" max="(\d+)" width="([\d.]+)"', sheet)
    # Every column has its width (equal neighbours share one element), the name wide.
    assert sum(int(last) - int(first) + 1 for first, last, _ in cols) == len(CSV_COLUMNS)
    width = {c: float(w) for first, last, w in cols for c in range(int(first), int(last) + 1)}
    assert min(width.values()) >= 7 and width[CSV_COLUMNS.index("full_name") + 1] >= 28


def test_a_drafts_header_is_frozen_under_its_draft_row(app, tmp_path):
    batch_id = generate(app, "2025-03", "--commune", "00070")["batch_id"]
    out = download(payment_officer(app), batch_id, tmp_path)
    rows = read_xlsx(out)["00070 (BẢN NHÁP - DRAFT)"]
    assert rows[0][0].startswith("BẢN NHÁP / DRAFT") and rows[1][0] == "Tháng"
    with zipfile.ZipFile(out) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert 'ySplit="2"' in sheet and '<autoFilter ref="A2:U' in sheet
