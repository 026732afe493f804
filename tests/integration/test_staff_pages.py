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
