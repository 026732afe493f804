"""An open batch's files cannot be mistaken for the list to pay (issue 27 item 3;
interchange.md section 3): DRAFT on every page of the signature sheets, in the sheet names
and a first row of the XLSX, ``-draft`` at the end of every file name; the CSV keeps the
contract's columns and the CLI warns on stderr."""

import csv
import io
import re
from io import BytesIO

import pytest
from pypdf import PdfReader

from tests.integration.test_payment_batches import (  # noqa: F401 (fixture)
    caseload,
    cli,
    export_rows,
    generate,
    payment_officer_client,
)
from tests.integration.xlsx_reading import read_xlsx

pytestmark = pytest.mark.usefixtures("caseload")


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(data)).pages]


def test_an_open_batchs_files_say_draft_and_are_named_so(app, tmp_path):
    batch_id = generate(app, "2025-03", "--commune", "00070")["batch_id"]
    client = payment_officer_client(app)
    page = client.get(f"/payments/batches/{batch_id}").get_data(as_text=True)
    assert 'id="draft-notice"' in page

    pdf = client.get(f"/payments/batches/{batch_id}/export.pdf")
    assert re.search(r'filename=ky-nhan-chi-tra-2025-03-00070-draft\.pdf', pdf.headers[
        "Content-Disposition"])  # fmt: skip
    pages = pdf_pages(pdf.data)
    assert pages and all("BẢN NHÁP / DRAFT" in text for text in pages)

    xlsx = client.get(f"/payments/batches/{batch_id}/export.xlsx")
    assert "chi-tra-2025-03-00070-draft.xlsx" in xlsx.headers["Content-Disposition"]
    out = tmp_path / "draft.xlsx"
    out.write_bytes(xlsx.data)
    sheets = read_xlsx(out)
    assert list(sheets) == ["00070 (BẢN NHÁP - DRAFT)"]
    rows = sheets["00070 (BẢN NHÁP - DRAFT)"]
    assert rows[0][0].startswith("BẢN NHÁP / DRAFT") and rows[1][0] == "Tháng"

    listing = client.get(f"/payments/batches/{batch_id}/export.csv")
    assert "chi-tra-2025-03-00070-draft.csv" in listing.headers["Content-Disposition"]
    header = next(csv.reader(io.StringIO(listing.get_data(as_text=True).lstrip("\ufeff"))))
    assert header[0] == "month" and len(header) == 21  # the contract's columns only


def test_every_page_of_an_open_provinces_sheets_says_draft(app, tmp_path):
    """Two sheets (Ba Đình, Hoàn Kiếm) of the province's list: each page says it."""
    province = generate(app, "2025-03", "--province", "01")["batch_id"]
    out = tmp_path / "province.pdf"
    assert cli(app, "payments", "export", str(province), "--format", "pdf",
               "--out", str(out)).exit_code == 0  # fmt: skip
    pages = pdf_pages(out.read_bytes())
    assert len(pages) == 2 and all("BẢN NHÁP / DRAFT" in text for text in pages)
    out = tmp_path / "province.xlsx"
    assert cli(app, "payments", "export", str(province), "--format", "xlsx",
               "--out", str(out)).exit_code == 0  # fmt: skip
    assert list(read_xlsx(out)) == ["00004 (BẢN NHÁP - DRAFT)", "00070 (BẢN NHÁP - DRAFT)"]


def test_the_cli_warns_that_an_open_batchs_file_is_a_draft(app, tmp_path):
    batch_id = generate(app, "2025-03", "--commune", "00070")["batch_id"]
    out = tmp_path / "list.csv"
    result = cli(app, "payments", "export", str(batch_id), "--format", "csv", "--out", str(out))
    assert result.exit_code == 0
    assert f"{out} là bản nháp, không dùng để chi trả" in result.stderr
    assert out.read_text(encoding="utf-8-sig").startswith("month,")
    assert "cảnh báo" not in result.stdout and "bản nháp" not in result.stdout


def test_a_locked_batchs_files_are_not_drafts(app, tmp_path):
    batch_id = generate(app, "2025-03", "--commune", "00070")["batch_id"]
    assert cli(app, "payments", "lock", str(batch_id)).exit_code == 0
    client = payment_officer_client(app)
    assert 'id="draft-notice"' not in client.get(f"/payments/batches/{batch_id}").get_data(
        as_text=True)  # fmt: skip
    pdf = client.get(f"/payments/batches/{batch_id}/export.pdf")
    assert "filename=ky-nhan-chi-tra-2025-03-00070.pdf" in pdf.headers["Content-Disposition"]
    assert not any("NHÁP" in text for text in pdf_pages(pdf.data))
    out = tmp_path / "final.xlsx"
    out.write_bytes(client.get(f"/payments/batches/{batch_id}/export.xlsx").data)
    sheets = read_xlsx(out)
    assert list(sheets) == ["00070"] and sheets["00070"][0][0] == "Tháng"
    result = cli(app, "payments", "export", str(batch_id), "--format", "pdf",
                 "--out", str(tmp_path / "final.pdf"))  # fmt: skip
    assert result.exit_code == 0 and "bản nháp" not in result.stderr
