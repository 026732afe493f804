"""A citizen registers, logs out and logs in again, in a real browser."""

from tests.browser.steps import PASSWORD, register


def test_a_citizen_registers_logs_out_and_logs_in_by_id_number(page, output_dir):
    page.set_viewport_size({"width": 360, "height": 740})
    register(page, "001190000778", "Hoàng Thị Dân")
    assert page.locator("h1").inner_text() == "Hồ sơ của tôi"
    page.screenshot(path=str(output_dir / "citizen-home-360.png"), full_page=True)

    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/")
    page.goto("/login")
    page.fill("#username", "001190000778")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/me/")
    assert "001******778" in page.content()  # their own number, masked (decision 76)


def test_a_wrong_id_number_is_explained_next_to_the_field(page):
    page.goto("/register")
    page.fill("#full_name", "Hoàng Văn Nam")
    page.fill("#date_of_birth", "1990-05-17")
    page.select_option("#sex", "M")
    page.fill("#national_id", "001190000779")  # the 4th digit says female
    page.fill("#phone", "0912345678")
    page.fill("#password", PASSWORD)
    page.fill("#password_confirm", PASSWORD)
    page.get_by_role("button", name="Tạo tài khoản").click()
    message = page.locator("#national_id-field .error-message").inner_text()
    assert "giới tính" in message
