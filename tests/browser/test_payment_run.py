"""A province payment officer generates March 2025 for their province, follows the run,
opens the batch and downloads the signature sheets, in a real browser."""

from pathlib import Path

from benefits.accounts.audit import Actor
from benefits.accounts.service import create_staff_user
from benefits.extensions import db

PASSWORD = "một-mật-khẩu-dài"
CASELOAD = Path(__file__).resolve().parents[1] / "data" / "samples" / "caseload.csv"


def test_a_payment_officer_generates_follows_and_downloads(live_app, page, output_dir):
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
