"""Steps the browser journeys share."""

PASSWORD = "một-mật-khẩu-dài"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def register(page, national_id, name="Hoàng Thị Mẹ", phone="0912345678", email=None):
    """Create a citizen account from the registration page (born 17 May 1990, a woman),
    ending on the citizen's own page."""
    page.goto("/register")
    page.fill("#full_name", name)
    page.fill("#date_of_birth", "1990-05-17")
    page.select_option("#sex", "F")
    page.fill("#national_id", national_id)
    page.fill("#phone", phone)
    if email:
        page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.fill("#password_confirm", PASSWORD)
    page.get_by_role("button", name="Tạo tài khoản").click()
    page.wait_for_url("**/me/")


def fill_child(page, tmp_path):
    """The monthly allowance form (1.001776) for a child, declared by the mother, with one
    paper attached."""
    start_child(page, tmp_path)
    finish_child(page)


def start_child(page, tmp_path):
    """What a mother has at hand first: the child's name and birth date, the category, the
    paper; the rest of the form left empty."""
    page.fill("#full_name", "Hoàng Văn Bé")
    page.fill("#date_of_birth", "2015-06-01")
    page.select_option("#category", "CHILD_NO_SUPPORT")
    proof = tmp_path / "giay-to.png"
    proof.write_bytes(PNG)
    page.set_input_files("#attachments", str(proof))


def finish_child(page):
    """The rest of the child's form: sex, ID number, commune, the mother declaring."""
    page.select_option("#sex", "M")
    page.fill("#national_id", "001215000124")
    page.fill("#commune_code", "00070")
    page.check("#on_behalf")
    page.fill("#declarant_name", "Hoàng Thị Mẹ")
    page.fill("#declarant_national_id", "001190000780")
    page.fill("#declarant_relationship", "mẹ")


def no_overflow(page):
    """Nothing wider than the screen (a 360 px phone scrolls only down)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def no_table_scrolls_sideways(page):
    """No table is wider than its box, which would make it scroll sideways on its own."""
    return page.evaluate(
        "[...document.querySelectorAll('.table-scroll')]"
        ".every(box => box.scrollWidth - box.clientWidth <= 0)"
    )
