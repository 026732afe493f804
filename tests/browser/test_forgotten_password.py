"""A citizen who forgot their password chooses a new one through the emailed link, in a
real browser, the email received by a real SMTP server (decision 64)."""

from tests.browser.steps import register
from tests.mailbox import mailbox_for

NEW_PASSWORD = "mật khẩu mới của mẹ 2026"


def test_a_citizen_resets_a_forgotten_password_from_the_login_page(page, live_app):
    register(page, "001190000799", "Hoàng Thị Quên", email="quen@example.vn")
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/")

    with mailbox_for(live_app) as mailbox:
        page.goto("/login")
        page.get_by_role("link", name="Quên mật khẩu?").click()
        page.fill("#username", "001190000799")
        page.get_by_role("button", name="Gửi đường dẫn").click()
        page.wait_for_url("**/login")
        assert "đường dẫn đặt mật khẩu mới" in page.locator(".notice").inner_text()
        [message] = mailbox.messages
        assert message["To"] == "quen@example.vn"
        link = mailbox.reset_path()

    page.goto(link)
    page.fill("#password", NEW_PASSWORD)
    page.fill("#password_confirm", NEW_PASSWORD)
    page.get_by_role("button", name="Lưu mật khẩu mới").click()
    page.wait_for_url("**/login")
    page.fill("#username", "001190000799")
    page.fill("#password", NEW_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/me/")

    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/")
    page.goto(link)  # used: it works once
    assert page.locator("h1").inner_text() == "Đường dẫn này không còn dùng được"
