"""Nothing typed is lost (issue 30 item 4, decision 126): a form whose CSRF token expired
is refused, nothing it asked is done, and its page is shown again with what was typed,
files aside (and said so), and a message to send it again."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from benefits.accounts.audit import Actor
from benefits.accounts.models import User
from benefits.accounts.service import create_staff_user
from benefits.cases.models import Case
from benefits.deaths.models import DeathRecord
from benefits.extensions import db
from tests.builders import CITIZEN_FORM, PASSWORD
from tests.integration.test_citizen_journeys import funeral_application, post_application

STALE = {"csrf_token": "a-token-from-before-the-log-out"}


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


def values_of(page) -> dict[str, str]:
    values = {i["name"]: i.get("value", "") for i in page.select("form input[name]")
              if i.get("type") not in ("radio", "checkbox", "hidden", "file")}  # fmt: skip
    for select_ in page.select("form select[name]"):
        chosen = select_.select_one("option[selected]")
        values[select_["name"]] = chosen["value"] if chosen else ""
    for area in page.select("form textarea[name]"):
        values[area["name"]] = area.get_text()
    return values


def test_an_expired_registration_is_shown_again_with_what_was_typed(client, csrf_on):
    client.set_cookie("lang", "vi")
    response = client.post("/register", data={**CITIZEN_FORM, **STALE})
    assert response.status_code == 400
    page = page_of(response)
    typed = values_of(page)
    for name in ("full_name", "national_id", "phone", "email", "date_of_birth"):
        assert typed[name] == CITIZEN_FORM[name], name
    assert typed["sex"] == CITIZEN_FORM["sex"]
    assert typed.get("password", "") == ""  # never sent back to the browser
    notice = page.select_one(".notice-error").get_text()
    assert "gửi lại" in notice and "mật khẩu" in notice.lower()
    # A fresh token: the form now goes through.
    token = page.select_one("input[name=csrf_token]")["value"]
    assert token != STALE["csrf_token"]
    assert client.post("/register", data={**CITIZEN_FORM, "csrf_token": token}).status_code == 302
    assert count(User) == 1


def test_an_expired_application_keeps_its_answers_but_not_its_files(client, citizen, csrf_on):
    client.set_cookie("lang", "vi")
    response = post_application(client, {**funeral_application(), **STALE})
    assert response.status_code == 400
    page = page_of(response)
    typed = values_of(page)
    assert typed["full_name"] == "Hoàng Văn Cụ" and typed["date_of_death"] == "2025-03-01"
    assert "chọn lại" in page.select_one(".notice-error").get_text()
    assert count(Case) == 0


def test_an_officers_expired_form_keeps_what_was_typed_and_records_nothing(app, csrf_on):
    create_staff_user("officer", "o@xa.gov.vn", "Cán Bộ", PASSWORD, Actor.system("t"),
                      commune_code="00070")  # fmt: skip
    client = app.test_client()
    page = page_of(client.get("/login"))
    token = page.select_one("input[name=csrf_token]")["value"]
    client.post("/login", data={"username": "o@xa.gov.vn", "password": PASSWORD,
                                "csrf_token": token})  # fmt: skip
    death = {"registration_number": "KT-2025-77", "national_id": "001044700008",
             "full_name": "Ông Văn Đức", "date_of_death": "2025-03-01",
             "registered_on": "2025-03-03", "declarant_name": "Bà Thị Hoa"}  # fmt: skip
    response = client.post("/officer/deaths", data={**death, **STALE})
    assert response.status_code == 400
    typed = values_of(page_of(response))
    assert {k: typed.get(k) for k in death} == death
    assert count(DeathRecord) == 0


def test_showing_an_expired_form_again_never_passes_the_log_in(app, csrf_on):
    """Someone logged out (or never in) sends a staff form with a stale token: the page
    is not shown to them, they are asked to log in."""
    user = create_staff_user("officer", "o@xa.gov.vn", "Cán Bộ", PASSWORD, Actor.system("t"),
                             commune_code="00070")  # fmt: skip
    client = app.test_client()
    for path in ("/officer/deaths", f"/admin/users/{user.id}"):
        response = client.post(path, data={"full_name": "x", **STALE})
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        assert "Cán Bộ" not in response.get_data(as_text=True)
