"""A forgotten password: a link by email, valid one hour and once (decision 64).

The emails go through a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import re

import pytest
import time_machine
from sqlalchemy import select

from benefits.accounts.models import AuditEntry, User
from benefits.accounts.password_reset import send_reset_email
from benefits.extensions import db
from tests.builders import CITIZEN_FORM as CITIZEN
from tests.builders import PASSWORD
from tests.mailbox import mailbox_for

NEW_PASSWORD = "một mật khẩu mới 2026"


@pytest.fixture
def mailbox(app):
    with mailbox_for(app) as box:
        yield box


def _citizen(client, **changes):
    client.post("/register", data={**CITIZEN, **changes})
    client.post("/logout")
    return db.session.scalar(select(User).where(User.national_id == CITIZEN["national_id"]))


def _emailed_link(mailbox, user) -> str:
    """The job the request queued, run here: the in-process executor has already run it
    without REDIS_URL; with it, the job waits in the ``notify`` queue for a worker."""
    send_reset_email(user.id)
    assert mailbox.messages[-1]["To"] == CITIZEN["email"]
    return mailbox.reset_path()


def test_a_citizen_chooses_a_new_password_through_the_emailed_link(app, client, mailbox):
    user = _citizen(client)
    answer = client.post("/password/forgot", data={"username": CITIZEN["national_id"]},
                         follow_redirects=True)  # fmt: skip
    assert "email" in answer.get_data(as_text=True)
    if not app.config.get("REDIS_URL"):
        assert len(mailbox.messages) == 1  # the job ran once the request committed
    link = mailbox.reset_path() if mailbox.messages else _emailed_link(mailbox, user)
    assert "mật khẩu" in mailbox.messages[-1]["Subject"]  # in Vietnamese

    page = client.get(link)
    assert page.status_code == 200
    done = client.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")

    old = client.post("/login", data={"username": CITIZEN["national_id"], "password": PASSWORD})
    assert old.status_code == 200  # the old password no longer opens the account
    new = client.post("/login", data={"username": CITIZEN["national_id"],
                                      "password": NEW_PASSWORD})  # fmt: skip
    assert new.status_code == 302 and new.headers["Location"].endswith("/me/")
    actions = db.session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.object_type == "user", AuditEntry.object_id == str(user.id)
        )  # fmt: skip
    ).all()
    assert "account.password_reset_requested" in actions
    assert "account.password_reset" in actions


def test_a_link_works_once(client, mailbox):
    user = _citizen(client)
    link = _emailed_link(mailbox, user)
    client.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    again = client.post(link, data={"password": "yet another one 42", "password_confirm":
                                    "yet another one 42"})  # fmt: skip
    assert again.status_code == 410
    assert "no longer works" in again.get_data(as_text=True) or "không còn" in again.get_data(
        as_text=True
    )


def test_a_link_expires_after_one_hour(client, mailbox):
    user = _citizen(client)
    with time_machine.travel("2026-03-02 08:00 +0700", tick=False):
        link = _emailed_link(mailbox, user)
    with time_machine.travel("2026-03-02 08:59 +0700", tick=False):
        assert client.get(link).status_code == 200
    with time_machine.travel("2026-03-02 09:01 +0700", tick=False):
        assert client.get(link).status_code == 410
        refused = client.post(link, data={"password": NEW_PASSWORD,
                                          "password_confirm": NEW_PASSWORD})  # fmt: skip
        assert refused.status_code == 410
    db.session.refresh(user)
    assert client.post("/login", data={"username": CITIZEN["national_id"],
                                       "password": PASSWORD}).status_code == 302  # fmt: skip


def test_a_tampered_link_is_refused(client, mailbox):
    user = _citizen(client)
    link = _emailed_link(mailbox, user)
    assert client.get(link[:-2] + ("AA" if not link.endswith("AA") else "BB")).status_code == 410
    assert client.get("/password/reset/not-a-token").status_code == 410


def test_a_weak_new_password_is_refused_and_changes_nothing(client, mailbox):
    user = _citizen(client)
    link = _emailed_link(mailbox, user)
    before = user.password_hash
    page = client.post(link, data={"password": "password1234", "password_confirm":
                                   "password1234"})  # fmt: skip
    assert page.status_code == 200 and "error-message" in page.get_data(as_text=True)
    db.session.refresh(user)
    assert user.password_hash == before
    assert client.get(link).status_code == 200  # the link still works


def test_the_answer_does_not_tell_whether_an_account_exists(client, mailbox):
    _citizen(client, email="")
    client.get("/")  # the "logged out" notice shown
    known_no_email = client.post("/password/forgot", data={"username": CITIZEN["national_id"]},
                                 follow_redirects=True)  # fmt: skip
    unknown = client.post("/password/forgot", data={"username": "001190000999"},
                          follow_redirects=True)  # fmt: skip

    def flashed(response):
        page = response.get_data(as_text=True)
        return re.findall(r'class="notice notice-[^"]*"[^>]*>(.*?)<', page, re.S)

    assert flashed(known_no_email) == flashed(unknown) != []
    assert mailbox.messages == []


def test_asking_again_and_again_is_limited(client):
    _citizen(client)
    codes = [client.post("/password/forgot", data={"username": CITIZEN["national_id"]})
             .status_code for _ in range(4)]  # fmt: skip
    assert codes == [302, 302, 302, 429]


def test_the_link_goes_to_the_configured_address_not_the_request_host(client, mailbox):
    user = _citizen(client)
    client.post("/password/forgot", data={"username": CITIZEN["national_id"]},
                headers={"Host": "attacker.example"})  # fmt: skip
    send_reset_email(user.id)
    for index in range(len(mailbox.messages)):
        body = mailbox.body(index)
        assert "attacker.example" not in body and "https://dichvucong.example.vn/" in body


# At the commune's one-stop desk: a citizen without email (decision 65).


def _officer(app, role="officer"):
    from benefits.accounts.audit import Actor
    from benefits.accounts.service import create_staff_user

    return create_staff_user(role, f"{role}@xa.example.vn", "Cán Bộ", PASSWORD,
                             Actor.system("test"), commune_code="00070")  # fmt: skip


def _desk(client, **changes):
    data = {"national_id": CITIZEN["national_id"], "date_of_birth": CITIZEN["date_of_birth"],
            "card_checked": "y", **changes}  # fmt: skip
    return client.post("/officer/citizen-password", data=data)


def _log_in(client, username, password):
    return client.post("/login", data={"username": username, "password": password})


def test_an_officer_gives_a_temporary_password_that_must_be_changed_at_once(app, client):
    citizen = _citizen(client, email="")
    officer = _officer(app)
    _log_in(client, officer.email, PASSWORD)
    given = _desk(client)
    assert given.status_code == 200 and given.headers["Cache-Control"] == "no-store"
    temporary = re.search(r"<code>([A-Z0-9-]{14})</code>", given.get_data(as_text=True))[1]
    assert CITIZEN["national_id"] not in given.get_data(as_text=True)  # masked
    client.post("/logout")

    assert _log_in(client, CITIZEN["national_id"], PASSWORD).status_code == 200  # old one gone
    landed = _log_in(client, CITIZEN["national_id"], temporary)
    assert landed.status_code == 302
    # Every page leads to the change of password until it is done.
    for path in ("/me/", "/me/", "/procedures"):
        held = client.get(path)
        assert held.status_code == 302 and held.headers["Location"].endswith("/account/password")
    changed = client.post(
        "/account/password",
        data={"current": temporary, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert client.get("/me/").status_code == 200
    db.session.refresh(citizen)
    assert citizen.password_must_change is False
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "account.temporary_password")
    )
    assert entry.actor_id == officer.id and entry.object_id == str(citizen.id)
    assert entry.commune_code == "00070"


def test_the_desk_refuses_a_wrong_date_of_birth_or_an_unticked_card_and_changes_nothing(
    app, client
):
    citizen = _citizen(client, email="")
    before = citizen.password_hash
    _log_in(client, _officer(app).email, PASSWORD)
    wrong_birth = _desk(client, date_of_birth="1990-05-18")
    assert "error-message" in wrong_birth.get_data(as_text=True)
    unticked = _desk(client, card_checked="")
    assert "error-message" in unticked.get_data(as_text=True)
    impossible = _desk(client, date_of_birth="1990-02-30")
    assert "error-message" in impossible.get_data(as_text=True)
    db.session.refresh(citizen)
    assert citizen.password_hash == before and not citizen.password_must_change
    assert (
        db.session.scalar(
            select(AuditEntry.id).where(AuditEntry.action == "account.temporary_password")
        )
        is None
    )


def test_only_a_commune_officer_gives_temporary_passwords(app, client):
    _citizen(client, email="")
    _log_in(client, _officer(app, "chairman").email, PASSWORD)
    assert client.get("/officer/citizen-password").status_code == 404
    assert _desk(client).status_code == 404
    client.post("/logout")
    _log_in(client, CITIZEN["national_id"], PASSWORD)
    assert client.get("/officer/citizen-password").status_code == 404


def test_a_new_password_ends_the_other_sessions_but_not_this_one(app, client):
    """Decision 68: a phone left logged in somewhere is logged out by a new password."""
    _citizen(client, email="")
    other = app.test_client()
    _log_in(client, CITIZEN["national_id"], PASSWORD)
    _log_in(other, CITIZEN["national_id"], PASSWORD)
    assert other.get("/me/").status_code == 200

    changed = client.post(
        "/account/password",
        data={"current": PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert client.get("/me/").status_code == 200  # the session that changed it goes on
    ended = other.get("/me/")
    assert ended.status_code == 302 and ended.headers["Location"].endswith("/login")
    assert other.get("/me/").headers["Location"].startswith("/login")  # logged out for good


def test_a_reset_by_link_ends_every_session(app, client, mailbox):
    user = _citizen(client)
    other = app.test_client()
    _log_in(other, CITIZEN["national_id"], PASSWORD)
    link = _emailed_link(mailbox, user)
    client.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert other.get("/me/").status_code == 302
