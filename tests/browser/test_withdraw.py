"""On a 360 px phone: a citizen deletes a draft she no longer needs, then withdraws a
dossier she sent, giving her reason (docs/decisions.md 58)."""

from tests.browser.steps import fill_child, no_overflow, register

REASON = "Gia đình đã lo được cho cháu"


def fill_own_child(page, tmp_path):
    fill_child(page, tmp_path)
    page.fill("#national_id", "001215000126")
    page.fill("#declarant_national_id", "001190000796")


def test_delete_a_draft_then_withdraw_a_dossier(page, output_dir, tmp_path):
    page.set_viewport_size({"width": 360, "height": 740})
    register(page, "001190000796")

    page.goto("/me/apply/1.001776")
    fill_own_child(page, tmp_path)
    page.get_by_role("button", name="Lưu và hoàn thiện sau").click()
    page.get_by_role("link", name="Xóa bản nháp").click()
    assert page.locator("h1").inner_text() == "Xóa bản nháp?"
    assert "giay-to.png" in page.content()
    assert no_overflow(page)
    page.get_by_role("button", name="Đồng ý, xóa bản nháp").click()
    page.wait_for_url("**/me/")
    assert page.locator(".notice-success").inner_text() == "Đã xóa bản nháp."
    assert page.locator(".dossier-card").count() == 0

    page.goto("/me/apply/1.001776")
    fill_own_child(page, tmp_path)
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url("**/receipt")
    code = page.locator(".dossier-code").inner_text()
    page.goto(f"/me/dossiers/{code}")
    page.locator("#withdraw summary").click()
    page.fill("#reason", REASON)
    page.get_by_role("button", name="Rút hồ sơ", exact=True).click()
    assert page.locator("#confirm-error").is_visible()  # the box is not ticked
    assert page.locator("#reason").input_value() == REASON  # what she wrote is kept
    assert no_overflow(page)
    page.screenshot(path=str(output_dir / "withdraw-360.png"), full_page=True)
    page.check("#confirm")
    page.get_by_role("button", name="Rút hồ sơ", exact=True).click()
    page.wait_for_url(f"**/me/dossiers/{code}")
    assert page.locator(".notice-success").is_visible()
    withdrawal = page.locator("#withdrawal").inner_text()
    assert "Bạn đã rút hồ sơ này" in withdrawal and REASON in withdrawal
    assert page.locator("#withdraw").count() == 0
    assert no_overflow(page)
    page.screenshot(path=str(output_dir / "withdrawn-360.png"), full_page=True)
    page.goto("/me/")
    assert "Đã rút" in page.locator(".dossier-card", has_text=code).inner_text()
