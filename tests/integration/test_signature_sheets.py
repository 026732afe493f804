"""The signature sheets as paid out at the counter (issue 27 item 4; interchange.md
section 3 "pdf: one signature sheet per commune and payment point"): the batch's line
numbers, the kind of payment, the commune's header, page and grand totals on every page
and sheet, and where the preparer and the chairman sign, dated."""

import re

import pytest
from pypdf import PdfReader

from benefits.extensions import db
from benefits.payments.models import PaymentBatch
from benefits.payments.signature_sheets import write_signature_sheets
from benefits.places.calendar import vietnam_today
from tests.integration.test_payment_batches import (  # noqa: F401 (fixture)
    caseload,
    cli,
    export_rows,
    generate,
)

pytestmark = pytest.mark.usefixtures("caseload")


def sheet_pages(app, tmp_path, rows_per_page=12) -> tuple[list[str], list[dict]]:
    """Hà Nội's March list (Ba Đình's three lines, Hoàn Kiếm's two), locked: the text of
    each page of its signature sheets, and the list's rows."""
    figures = generate(app, "2025-03", "--province", "01")
    assert cli(app, "payments", "lock", str(figures["batch_id"])).exit_code == 0
    batch = db.session.get(PaymentBatch, figures["batch_id"])
    out = tmp_path / "sheets.pdf"
    assert write_signature_sheets(batch, out, rows_per_page=rows_per_page) == 2
    pages = [page.extract_text() for page in PdfReader(out).pages]
    return pages, export_rows(app, figures["batch_id"], tmp_path)


def test_each_row_is_numbered_by_the_batchs_line_no_and_says_the_kind(app, tmp_path):
    pages, rows = sheet_pages(app, tmp_path)
    assert len(pages) == 2  # one sheet per commune and payment point
    hoan_kiem = pages[1]
    for row in rows:
        if row["commune_code"] != "00070":
            continue
        masked = "*" * 9 + row["national_id"][-3:]
        [printed] = [t for t in hoan_kiem.splitlines() if masked in t]
        # The number the post office reports back, not a count from 1 on each sheet.
        assert printed.startswith(f"{row['line_no']} {row['payee_name']}")
        assert "Trợ cấp xã hội hàng tháng" in printed
    assert [r["line_no"] for r in rows if r["commune_code"] == "00070"] == ["4", "5"]


def test_every_page_has_the_communes_header_and_its_total_the_last_the_signatures(app, tmp_path):
    pages, rows = sheet_pages(app, tmp_path, rows_per_page=2)
    # Ba Đình's three lines on two pages, Hoàn Kiếm's two on one.
    assert len(pages) == 3
    ba_dinh = [r for r in rows if r["commune_code"] == "00004"]
    for number, text in enumerate(pages[:2], start=1):
        assert "DANH SÁCH KÝ NHẬN TRỢ CẤP XÃ HỘI THÁNG 03/2025" in text
        assert re.search(rf"Phường Ba Đình \(00004\)\s+Điểm chi trả: PO-BD-01\s+Trang {number}/2",
                         text)  # fmt: skip
        assert "Số định danh" in text and "Ký nhận" in text and "Loại chi trả" in text
    first_page_total = sum(int(r["total_amount"]) for r in ba_dinh[:2])
    assert f"Cộng trang {first_page_total:,}".replace(",", ".") in pages[0]
    assert "Tổng cộng" not in pages[0] and "NGƯỜI LẬP DANH SÁCH" not in pages[0]
    grand = sum(int(r["total_amount"]) for r in ba_dinh)
    assert f"Tổng cộng (3 người nhận) {grand:,}".replace(",", ".") in pages[1]
    today = vietnam_today()
    assert f"ngày {today:%d} tháng {today:%m} năm {today:%Y}" in pages[1]
    for words in ("NGƯỜI LẬP DANH SÁCH", "CHỦ TỊCH ỦY BAN NHÂN DÂN", "(Ký, ghi rõ họ tên)"):
        assert words in pages[1]
    assert "Phường Hoàn Kiếm (00070)" in pages[2] and "Trang 1/1" in pages[2]
    assert "NHÁP" not in "".join(pages)  # a locked batch's sheets
