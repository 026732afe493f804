"""A province admin looks after the staff accounts of the province (issue 30 item 2,
decision 120): edits one, changes its role or commune, deactivates it (its sessions end at
once), sends it a password reset, sees its last log-in; every change audited in words."""

import pytest
from bs4 import BeautifulSoup
from flask import url_for
from sqlalchemy import func, select

from benefits.accounts.audit import Actor
from benefits.accounts.models import AuditEntry, LoginSession
from benefits.accounts.password_reset import send_reset_email
from benefits.accounts.service import create_staff_user
from benefits.extensions import db
from tests.builders import PASSWORD
from tests.mailbox import mailbox_for


def staff(role, email, commune="00070", province=None):
    user = create_staff_user(role, email, "Cán Bộ", PASSWORD, Actor.system("test"),
                             commune_code=commune, province_code=province)  # fmt: skip
    db.session.flush()  # its audit row before those of the requests that follow
    return user


def login(client, username, password=PASSWORD, lang="vi"):
    client.set_cookie("lang", lang)
    return client.post("/login", data={"username": username, "password": password})


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


def errors_of(response):
    return {p.parent.get("id", "").removesuffix("-field"): p.get_text(" ", strip=True)
            for p in page_of(response).select(".error-message")}  # fmt: skip


def audits_of(user):
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "user",
                                 AuditEntry.object_id == str(user.id))
        .order_by(AuditEntry.id)
    ).all()  # fmt: skip


def path(app, endpoint, **values):
    with app.test_request_context():
        return url_for(endpoint, **values)


@pytest.fixture
def admin(client):
    user = staff("admin", "admin@so.gov.vn", commune=None, province="01")
    login(client, "admin@so.gov.vn")
    return user


FORM = {"full_name": "Cán Bộ", "email": "o@xa.gov.vn", "role": "officer", "commune": "00070"}


def test_the_admin_changes_role_and_commune_and_the_change_is_audited_in_words(app, client, admin):
    officer = staff("officer", "o@xa.gov.vn")
    page = path(app, "admin.edit_user", user_id=officer.id)
    shown = page_of(client.get(page))
    assert shown.select_one("select[name=role] option[selected]")["value"] == "officer"
    assert shown.select_one("select[name=commune] option[selected]")["value"] == "00070"
    response = client.post(page, data={**FORM, "role": "chairman", "commune": "00004",
                                       "full_name": "Trần Văn Chủ Tịch"})  # fmt: skip
    assert response.status_code == 302
    db.session.refresh(officer)
    assert (officer.role, officer.commune_code, officer.full_name) == (
        "chairman", "00004", "Trần Văn Chủ Tịch")  # fmt: skip
    entry = audits_of(officer)[-1]
    assert entry.action == "account.update" and entry.actor_id == admin.id
    assert entry.changes["role"] == ["officer", "chairman"]
    assert entry.changes["commune_code"] == ["00070", "00004"]
    audit_page = client.get(path(app, "admin.audit", object_type="user", object_id=officer.id))
    assert "Đã sửa tài khoản cán bộ" in audit_page.get_data(as_text=True)
    client.set_cookie("lang", "en")
    audit_page = client.get(path(app, "admin.audit", object_type="user", object_id=officer.id))
    assert "Staff account changed" in audit_page.get_data(as_text=True)


def test_a_change_the_rules_refuse_is_shown_on_its_field_and_nothing_changes(app, client, admin):
    officer = staff("officer", "o@xa.gov.vn")
    staff("officer", "taken@xa.gov.vn")
    page = path(app, "admin.edit_user", user_id=officer.id)
    before = len(audits_of(officer))
    cases = [
        ({"commune": "26506"}, "commune", "Phường Vũng Tàu (26506) không thuộc Thành phố Hà Nội."),
        ({"commune": ""}, "commune", "Công chức hoặc Chủ tịch xã phải thuộc một xã."),
        ({"email": "taken@xa.gov.vn"}, "email", "Thư điện tử này đã được sử dụng."),
    ]
    for changes, field, message in cases:
        response = client.post(page, data={**FORM, **changes})
        assert response.status_code == 200
        assert errors_of(response).get(field) == message, (changes, errors_of(response))
    db.session.refresh(officer)
    assert (officer.commune_code, officer.email) == ("00070", "o@xa.gov.vn")
    assert len(audits_of(officer)) == before


def test_a_deactivated_account_is_logged_out_at_once_and_cannot_log_in(app, client, admin):
    officer = staff("officer", "o@xa.gov.vn")
    desk, home = app.test_client(), app.test_client()
    login(desk, "o@xa.gov.vn")
    login(home, "o@xa.gov.vn")
    assert desk.get("/officer/").status_code == 200
    response = client.post(path(app, "admin.deactivate_user", user_id=officer.id))
    assert response.status_code == 302
    for browser in (desk, home):
        answer = browser.get("/officer/")
        assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    open_sessions = db.session.scalar(
        select(func.count()).select_from(LoginSession).where(
            LoginSession.user_id == officer.id, LoginSession.ended_at.is_(None)))  # fmt: skip
    assert open_sessions == 0
    entry = audits_of(officer)[-1]
    assert entry.action == "account.deactivated" and entry.changes["sessions_ended"] == 2
    assert login(app.test_client(), "o@xa.gov.vn").status_code == 200  # refused
    listed = page_of(client.get("/admin/")).get_text()
    assert "Đã khoá" in listed
    # A second click changes nothing; activating again lets the password in once more.
    client.post(path(app, "admin.deactivate_user", user_id=officer.id))
    assert [e.action for e in audits_of(officer)].count("account.deactivated") == 1
    client.post(path(app, "admin.reactivate_user", user_id=officer.id))
    assert login(app.test_client(), "o@xa.gov.vn").status_code == 302
    assert audits_of(officer)[-2].action == "account.reactivated"


def test_an_admin_cannot_deactivate_or_demote_themself(app, client, admin):
    response = client.post(path(app, "admin.deactivate_user", user_id=admin.id),
                           follow_redirects=True)  # fmt: skip
    assert "Bạn không thể khoá tài khoản của chính mình." in response.get_data(as_text=True)
    response = client.post(
        path(app, "admin.edit_user", user_id=admin.id),
        data={
            "full_name": "Cán Bộ",
            "email": "admin@so.gov.vn",
            "role": "officer",
            "commune": "00070",
        },
    )
    assert "role" in errors_of(response)
    db.session.refresh(admin)
    assert admin.active and admin.role == "admin"


def test_another_provinces_account_or_a_citizens_is_not_found(app, client, admin, citizen):
    other = staff("officer", "vt@xa.gov.vn", commune="26506")
    for user_id in (other.id, citizen.id):
        assert client.get(path(app, "admin.edit_user", user_id=user_id)).status_code == 404
        response = client.post(path(app, "admin.deactivate_user", user_id=user_id))
        assert response.status_code == 404
    db.session.refresh(other)
    assert other.active


def test_the_admin_sends_a_password_reset_link_in_the_staff_members_language(app, client, admin):
    officer = staff("officer", "o@xa.gov.vn")
    officer.locale = "en"
    db.session.flush()
    with mailbox_for(app) as mailbox:
        response = client.post(path(app, "admin.send_password_reset", user_id=officer.id),
                               follow_redirects=True)  # fmt: skip
        assert "o@xa.gov.vn" in response.get_data(as_text=True)
        if not mailbox.messages:  # with REDIS_URL the job waits for a worker: run it here
            send_reset_email(officer.id)
        assert mailbox.messages[-1]["To"] == "o@xa.gov.vn"
        assert "Choose a new password" in mailbox.messages[-1]["Subject"]
        link = mailbox.reset_path()
    assert audits_of(officer)[-1].action == "account.password_reset_sent"
    staff_browser = app.test_client()
    new_password = "một mật khẩu mới 2026"
    done = staff_browser.post(link, data={"password": new_password,
                                          "password_confirm": new_password})  # fmt: skip
    assert done.status_code == 302
    assert login(staff_browser, "o@xa.gov.vn", new_password).status_code == 302


def test_the_staff_list_shows_the_last_log_in(app, client, admin):
    officer = staff("officer", "o@xa.gov.vn")
    staff("payment", "p@xa.gov.vn")
    login(app.test_client(), "o@xa.gov.vn")
    rows = {r.select("td")[1].get_text(): r.select("td")[4].get_text(strip=True)
            for r in page_of(client.get("/admin/")).select("tbody tr")}  # fmt: skip
    assert rows["p@xa.gov.vn"] == "chưa bao giờ"
    assert rows["o@xa.gov.vn"] != "chưa bao giờ" and "/" in rows["o@xa.gov.vn"]
    db.session.refresh(officer)
    assert officer.last_login_at is not None


def test_staff_account_pages_need_the_admin_role(app, client):
    officer = staff("officer", "o@xa.gov.vn")
    login(client, "o@xa.gov.vn")
    assert client.get(path(app, "admin.edit_user", user_id=officer.id)).status_code == 404
    assert client.post(path(app, "admin.deactivate_user", user_id=officer.id)).status_code == 404
    db.session.refresh(officer)
    assert officer.active
