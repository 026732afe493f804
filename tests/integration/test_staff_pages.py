"""What staff read and do on their pages: scoping, words instead of codes, clear errors
on bad input with nothing changed (the staff walk of November 2026)."""

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from benefits.accounts.audit import Actor
from benefits.accounts.models import AuditEntry, User
from benefits.accounts.service import create_staff_user
from benefits.extensions import db

PASSWORD = "một-mật-khẩu-dài"


def staff(role, email, commune="00070", province=None):
    return create_staff_user(role, email, "Cán Bộ", PASSWORD, Actor.system("test"),
                             commune_code=commune, province_code=province)  # fmt: skip


def login(client, username, lang="vi"):
    client.set_cookie("lang", lang)
    return client.post("/login", data={"username": username, "password": PASSWORD})


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


def errors_of(response):
    return {p.parent.get("id", "").removesuffix("-field"): p.get_text(" ", strip=True)
            for p in page_of(response).select(".error-message")}  # fmt: skip


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_province_admin_cannot_create_an_account_in_another_provinces_commune(client):
    staff("admin", "admin@so.gov.vn", commune=None, province="01")
    login(client, "admin@so.gov.vn")
    audits = count(AuditEntry)
    response = client.post("/admin/users/new", data={
        "full_name": "Cán Bộ Vũng Tàu", "email": "vt@xa.gov.vn", "role": "officer",
        "commune": "26506", "password": PASSWORD})  # fmt: skip
    assert response.status_code == 200
    assert errors_of(response)["commune"] == "Phường Vũng Tàu (26506) không thuộc Thành phố Hà Nội."
    assert count(User, User.email == "vt@xa.gov.vn") == 0
    assert count(AuditEntry) == audits


def test_the_staff_list_names_roles_and_communes_in_the_readers_language(client):
    staff("officer", "o@xa.gov.vn")
    staff("admin", "admin@so.gov.vn", commune=None, province="01")
    login(client, "admin@so.gov.vn")
    rows = {r.select("td")[1].get_text(): [td.get_text(" ", strip=True) for td in r.select("td")]
            for r in page_of(client.get("/admin/")).select("tbody tr")}  # fmt: skip
    assert rows["o@xa.gov.vn"][2:] == ["Công chức văn hóa - xã hội", "Phường Hoàn Kiếm (00070)"]
    assert rows["admin@so.gov.vn"][2:] == ["Quản trị cấp tỉnh", "toàn tỉnh"]
    options = page_of(client.get("/admin/users/new")).select("select[name=role] option")
    assert [(o["value"], o.get_text()) for o in options][:2] == [
        ("officer", "Công chức văn hóa - xã hội"), ("chairman", "Chủ tịch UBND xã")]  # fmt: skip
    client.set_cookie("lang", "en")
    rows = page_of(client.get("/admin/")).select("tbody tr")
    assert "Commune officer" in {r.select("td")[2].get_text() for r in rows}


def test_the_rule_tables_write_coefficients_as_the_reader_does_and_name_the_province(client):
    from benefits.month import Month
    from benefits.rules.service import add_standard_level

    add_standard_level("01", Month(2099, 1), 600_000, "NQ 01/2098/NQ-HĐND", Actor.system("t"),
                       Month(2025, 1))  # fmt: skip
    staff("admin", "admin@so.gov.vn", commune=None, province="01")
    login(client, "admin@so.gov.vn")
    page = page_of(client.get("/admin/rules"))
    levels, coefficients = page.select("table")[:2]
    assert "Thành phố Hà Nội (01)" in levels.get_text()
    cells = {r.select("td")[3].get_text() for r in coefficients.select("tbody tr")}
    assert {"2,5", "1,5", "3,0"} <= cells and "2.5" not in cells
    client.set_cookie("lang", "en")
    coefficients = page_of(client.get("/admin/rules")).select("table")[1]
    assert "2.5" in {r.select("td")[3].get_text() for r in coefficients.select("tbody tr")}


def test_the_beneficiary_page_writes_coefficients_the_vietnamese_way(client):
    from datetime import date

    from tests.builders import create_beneficiary

    son = create_beneficiary(full_name="Lâm Văn Sơn", date_of_birth=date(1950, 10, 10),
                             categories=["ELDERLY_POOR_ALONE"])  # fmt: skip
    staff("officer", "o@xa.gov.vn")
    login(client, "o@xa.gov.vn")
    month_rows = page_of(client.get(f"/officer/registry/{son.code}")).select("tr[id^=month-]")
    assert {r.select("td")[2].get_text() for r in month_rows} == {"1,5"}
    client.set_cookie("lang", "en")
    month_rows = page_of(client.get(f"/officer/registry/{son.code}")).select("tr[id^=month-]")
    assert {r.select("td")[2].get_text() for r in month_rows} == {"1.5"}
