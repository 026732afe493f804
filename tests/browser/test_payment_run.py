"""A province payment officer generates March 2025 for their province, follows the run,
opens the batch, downloads the signature sheets, locks the batch and records the post
office's result, in a real browser."""

import csv
import io
from pathlib import Path

from benefits.accounts.audit import Actor
from benefits.accounts.service import create_staff_user
from benefits.extensions import db
from tests.browser.steps import no_table_scrolls_sideways

PASSWORD = "một-mật-khẩu-dài"
CASELOAD = Path(__file__).resolve().parents[1] / "data" / "samples" / "caseload.csv"


def test_a_payment_officer_generates_follows_downloads_locks_and_reconciles(
    live_app, page, output_dir, tmp_path
):
    result = live_app.test_cli_runner().invoke(args=["registry", "import", str(CASELOAD)])
    assert result.exit_code == 0, result.output
    with live_app.app_context():
        create_staff_user("payment", "chitra.tinh@hanoi.gov.vn", "Chi Trả Tỉnh", PASSWORD,
                          Actor.system("test"), province_code="01")  # fmt: skip
        db.session.commit()
    page.goto("/login")
    page.fill("#username", "chitra.tinh@hanoi.gov.vn")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto("/payments/")
    page.fill("#month", "2025-03")
    page.get_by_role("button", name="Lập danh sách").click()
    page.wait_for_url("**/payments/runs/*")
    row = page.locator("#job-01")
    assert row.get_attribute("data-state") == "done"
    assert "Hoàn thành" in row.inner_text()
    assert page.locator("#run-lines").inner_text() == "5"

    page.set_viewport_size({"width": 360, "height": 740})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.screenshot(path=str(output_dir / "payment-run-360.png"), full_page=True)

    row.get_by_role("link").click()
    page.wait_for_url("**/payments/batches/*")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải danh sách ký nhận (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")

    page.get_by_label("Tôi đã xem các kiểm tra ở trên").check()
    page.get_by_role("button", name="Khóa danh sách").click()
    assert "Danh sách đã được khóa" in page.locator("[role=status]").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải tệp CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    first = next(csv.DictReader(io.StringIO(text)))
    result = tmp_path / "ket-qua.csv"
    result.write_text(
        "line_no,national_id,status,paid_on\n"
        f"{first['line_no']},{first['national_id']},PAID,2025-03-05\n",
        encoding="utf-8",
    )
    page.set_input_files("#result_file", str(result))
    page.get_by_role("button", name="Ghi nhận kết quả").click()
    assert (
        "Đã ghi nhận: 1 dòng đã chi, 0 dòng chưa chi" in page.locator("[role=status]").inner_text()
    )
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0  # the SHA-256 of the locked list wraps on a phone
    # The lines, one card each on a phone: nothing to scroll sideways.
    lines = page.locator("#lines + .table-scroll")
    assert lines.evaluate("box => box.scrollWidth - box.clientWidth") <= 0
    # Nor any other table of the page: against last month, one card per commune.
    assert no_table_scrolls_sideways(page)
    first_cell = page.locator("#against-last-month tbody td").first
    assert first_cell.evaluate("td => getComputedStyle(td, '::before').content") == '"Xã"'
    page.screenshot(path=str(output_dir / "payment-batch-reconciled-360.png"), full_page=True)
