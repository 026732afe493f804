"""Steps the browser journeys share."""

PASSWORD = "một-mật-khẩu-dài"


def register(page, national_id, name="Hoàng Thị Mẹ", phone="0912345678"):
    """Create a citizen account from the registration page (born 17 May 1990, a woman),
    ending on the citizen's own page."""
    page.goto("/register")
    page.fill("#full_name", name)
    page.fill("#date_of_birth", "1990-05-17")
    page.select_option("#sex", "F")
    page.fill("#national_id", national_id)
    page.fill("#phone", phone)
    page.fill("#password", PASSWORD)
    page.fill("#password_confirm", PASSWORD)
    page.get_by_role("button", name="Tạo tài khoản").click()
    page.wait_for_url("**/me/")
