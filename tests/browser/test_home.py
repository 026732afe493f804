"""The home page in a real browser: Vietnamese first, English on request."""


def test_home_page_in_vietnamese_then_english(page, output_dir):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("h1").inner_text() == "Nộp hồ sơ trợ giúp xã hội trực tuyến"

    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Apply for social assistance online"

    page.goto("/")  # remembered on the next visit
    assert page.locator("html").get_attribute("lang") == "en"
    page.screenshot(path=str(output_dir / "home-en.png"), full_page=True)


def test_home_page_fits_a_360px_phone(page, output_dir):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.screenshot(path=str(output_dir / "home-360.png"), full_page=True)
