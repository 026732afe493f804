"""On a 360 px phone: a citizen applies for funeral support for her father, naming the ward
as she says it, and answers the commune office's request for more papers."""

from benefits.accounts.audit import Actor
from benefits.accounts.service import create_staff_user
from benefits.extensions import db
from tests.browser.steps import PASSWORD, PNG, no_overflow, no_table_scrolls_sideways, register


def test_apply_for_a_funeral_and_answer_a_request_for_papers(
    page, browser, live_app, live_server, output_dir, tmp_path
):
    page.set_viewport_size({"width": 360, "height": 740})
    register(page, "001 190 000 790", "Hoàng Thị Con", phone="0912 345 678")  # as typed

    page.goto("/me/apply/1.001731")
    assert page.locator("#on_behalf").is_checked()
    page.fill("#full_name", "Hoàng Văn Cha")
    page.fill("#date_of_birth", "1940-03-02")
    page.select_option("#sex", "M")
    page.fill("#national_id", "001040000790")
    page.fill("#commune_code", "hoàn kiếm")
    page.fill("#declarant_relationship", "con gái")
    page.fill("#date_of_death", "2025-03-01")
    proof = tmp_path / "giay-chung-tu.png"
    proof.write_bytes(PNG)
    page.set_input_files("#attachments", str(proof))
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url("**/receipt")
    code = page.locator(".dossier-code").inner_text()
    assert code.startswith("BTXH-00070-")

    with live_app.app_context():
        create_staff_user("officer", "o.papers@xa.gov.vn", "Cán Bộ", PASSWORD,
                          Actor.system("test"), commune_code="00070")  # fmt: skip
        db.session.commit()
    officer = browser.new_context(base_url=live_server, locale="vi-VN").new_page()
    officer.goto("/login")
    officer.fill("#username", "o.papers@xa.gov.vn")
    officer.fill("#password", PASSWORD)
    officer.get_by_role("button", name="Đăng nhập").click()
    # The queue on the officer's phone: each dossier a card, nothing to scroll sideways.
    officer.set_viewport_size({"width": 360, "height": 740})
    officer.wait_for_url("**/officer/")
    row = officer.locator("tbody tr", has_text=code)
    assert "Hỗ trợ chi phí mai táng" in row.inner_text()
    labels = row.locator("td").evaluate_all(
        "cells => cells.map(td => getComputedStyle(td, '::before').content)"
    )
    assert labels[-1] == '"Hạn giải quyết"'  # each cell under its column's name
    assert no_overflow(officer) and no_table_scrolls_sideways(officer)
    officer.screenshot(path=str(output_dir / "officer-queue-360.png"), full_page=True)
    officer.goto(f"/officer/cases/{code}")
    officer.fill(
        "form[action$='/supplement'] textarea", "Thiếu bản sao giấy chứng tử có chứng thực"
    )
    officer.locator("form[action$='/supplement'] button").click()
    officer.context.close()

    page.goto("/me/")
    assert "Cần bạn trả lời" in page.locator(".dossier-card", has_text=code).inner_text()
    assert no_overflow(page)
    page.locator(".dossier-card", has_text=code).get_by_role("link").click()
    assert "Thiếu bản sao giấy chứng tử" in page.content()
    page.get_by_role("button", name="Gửi trả lời").click()
    assert page.locator("#message-error").is_visible()
    assert no_overflow(page)
    page.screenshot(path=str(output_dir / "answer-empty-360.png"), full_page=True)
    page.fill("#message", "Tôi gửi bản sao có chứng thực")
    copy = tmp_path / "ban-sao.png"
    copy.write_bytes(PNG + b"copy")
    page.set_input_files("#attachments", str(copy))
    page.get_by_role("button", name="Gửi trả lời").click()
    assert page.locator(".notice-success").is_visible()
    assert "ban-sao.png" in page.content()
    assert no_overflow(page)
