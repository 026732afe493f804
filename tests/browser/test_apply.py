"""A citizen registers, applies for the monthly allowance for a child with one attachment,
saving the half-filled form to finish it later, sees the receipt and finds the dossier in
the tracking list (issue 5; decision 62)."""

from tests.browser.steps import fill_child, finish_child, no_overflow, register, start_child


def test_apply_for_a_child_and_find_the_dossier(page, output_dir, tmp_path):
    register(page, "001190000780")
    page.goto("/procedures")
    page.locator("a[href$='/me/apply/1.001776']").click()
    page.fill("#national_id", "")  # the child's number is not at hand yet
    start_child(page, tmp_path)
    page.get_by_role("button", name="Lưu và hoàn thiện sau").click()
    page.wait_for_url("**/me/apply/1.001776?draft=*")
    assert page.get_by_text("Đã lưu bản nháp.").is_visible()
    # Later, from My dossiers: the draft holds what was typed, and its paper.
    page.goto("/me/")
    page.locator(".dossier-card", has_text="Bản nháp").get_by_role("link").first.click()
    assert page.input_value("#full_name") == "Hoàng Văn Bé"
    assert page.input_value("#date_of_birth") == "2015-06-01"
    assert page.get_by_text("giay-to.png").is_visible()
    page.screenshot(path=str(output_dir / "draft-reopened.png"), full_page=True)
    finish_child(page)
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url("**/receipt")
    code = page.locator(".dossier-code").inner_text()
    assert code.startswith("BTXH-00070-")
    page.screenshot(path=str(output_dir / "receipt.png"), full_page=True)
    page.goto("/me/")
    card = page.locator(".dossier-card", has_text=code)
    card.get_by_role("link", name="Thực hiện, điều chỉnh").click()
    page.wait_for_url(f"**/me/dossiers/{code}")


def test_the_form_works_on_a_360px_phone(page, output_dir, tmp_path):
    page.set_viewport_size({"width": 360, "height": 740})
    register(page, "001190000781")
    page.goto("/me/apply/1.001776")
    assert no_overflow(page)
    fill_child(page, tmp_path)
    page.fill("#national_id", "001215000125")
    page.fill("#declarant_national_id", "001190000781")
    page.screenshot(path=str(output_dir / "apply-360.png"), full_page=True)
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url("**/receipt")
