"""Notifications that lead somewhere (issue 30.5, decision 142): an email and an SMS, each
with a link to the dossier, in the reader's language, through the outbox and the
``notify`` queue. The SMS goes to a real HTTP gateway this test starts on loopback."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from benefits.accounts.audit import Actor
from benefits.accounts.service import create_staff_user
from benefits.cases.models import Case
from benefits.extensions import db
from benefits.notify.models import OutboxMessage
from benefits.notify.outbox import send_pending
from benefits.notify.service import notify_commune_officers
from tests.builders import PASSWORD
from tests.integration.test_citizen_applications import child_application, post_application
from tests.mailbox import PUBLIC_URL, mailbox_for

TOKEN = "gateway-secret"  # noqa: S105 - the test gateway's token


class Gateway(ThreadingHTTPServer):
    """An SMS gateway: keeps what it is sent, answers ``statuses`` in turn (then 200)."""

    def __init__(self, statuses=()):
        super().__init__(("127.0.0.1", 0), _GatewayHandler)
        self.received: list[dict] = []
        self.statuses = list(statuses)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sms"


class _GatewayHandler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        length = int(self.headers["Content-Length"])
        body = json.loads(self.rfile.read(length))
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            status = 401
        if status == 200:
            self.server.received.append(body)
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):  # the test's output stays quiet
        pass


@contextlib.contextmanager
def gateway_for(app, statuses=()):
    server = Gateway(statuses)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    saved = {key: app.config.get(key) for key in ("SMS_GATEWAY_URL", "SMS_GATEWAY_TOKEN")}
    app.config.update(SMS_GATEWAY_URL=server.url, SMS_GATEWAY_TOKEN=TOKEN)
    try:
        yield server
    finally:
        app.config.update(saved)
        server.shutdown()
        server.server_close()


@pytest.fixture
def in_process(app):
    """Jobs run in the request (no REDIS_URL), so that what they send is there at once."""
    saved = app.config.get("REDIS_URL")
    app.config["REDIS_URL"] = None
    yield
    app.config["REDIS_URL"] = saved


def test_a_citizen_gets_an_email_and_an_sms_in_english_with_the_dossiers_link(
    app, citizen, client, in_process
):
    citizen.locale = "en"
    db.session.commit()
    with mailbox_for(app) as mailbox, gateway_for(app) as gateway:
        assert post_application(client, child_application()).status_code == 302
    case = db.session.scalar(select(Case))
    link = f"{PUBLIC_URL}/me/dossiers/{case.code}"
    assert mailbox.messages[0]["Subject"] == f"Your dossier {case.code} was received."
    assert f"Open the dossier: {link}" in mailbox.body()
    assert gateway.received == [
        {"to": "+84912345678", "text": f"Your dossier {case.code} was received. {link}"}
    ]
    # The link opens the dossier for its owner.
    assert client.get(link.removeprefix(PUBLIC_URL)).status_code == 200


def test_an_officer_is_sent_the_link_to_the_dossier_on_the_officers_pages(
    app, citizen, client, in_process
):
    assert post_application(client, child_application()).status_code == 302
    case = db.session.scalar(select(Case))
    create_staff_user("officer", "officer@xa.gov.vn", "Cán Bộ", PASSWORD, Actor.system("test"),
                      commune_code=case.commune_code)  # fmt: skip
    with mailbox_for(app) as mailbox:
        notify_commune_officers(case, "funeral_case_opened")
        db.session.commit()
    [message] = mailbox.messages
    assert message["To"] == "officer@xa.gov.vn"
    assert f"Xem hồ sơ: {PUBLIC_URL}/officer/cases/{case.code}" in mailbox.body()


def test_an_sms_the_gateway_refuses_is_sent_again_later_and_once(app, citizen, client, in_process):
    with gateway_for(app, statuses=[503]) as gateway:
        assert post_application(client, child_application()).status_code == 302
        sms = db.session.scalar(select(OutboxMessage).where(OutboxMessage.channel == "sms"))
        assert sms.sent_at is None and sms.last_error == "SmsRefused"
        assert gateway.received == []
        later = datetime.now(UTC) + timedelta(minutes=2)
        assert send_pending(now=later) == (1, 0)
        assert send_pending(now=later) == (0, 0)
    [text] = [received["text"] for received in gateway.received]
    assert "đã được tiếp nhận" in text  # in Vietnamese, the citizen's language


@pytest.mark.parametrize("env, text_logged", [("development", True), ("production", False)])
def test_without_a_gateway_the_sms_goes_to_the_log_without_the_full_number(
    app, citizen, client, in_process, caplog, env, text_logged
):
    saved, app.config["ENV_NAME"] = app.config["ENV_NAME"], env
    try:
        with caplog.at_level(logging.INFO, logger="benefits.notify.sms"):
            assert post_application(client, child_application()).status_code == 302
    finally:
        app.config["ENV_NAME"] = saved
    [line] = [r.getMessage() for r in caplog.records if r.name == "benefits.notify.sms"]
    assert "0912345678" not in line and "*******678" in line
    assert ("đã được tiếp nhận" in line) is text_logged
    sms = db.session.scalar(select(OutboxMessage).where(OutboxMessage.channel == "sms"))
    assert sms.sent_at is not None


def test_the_message_on_the_citizens_page_links_to_the_dossier(app, citizen, client):
    assert post_application(client, child_application()).status_code == 302
    case = db.session.scalar(select(Case))
    page = BeautifulSoup(client.get("/me/").data, "html.parser")
    [message] = page.find("h2", string="Thông báo").find_next("ul").find_all("li")
    assert message.a["href"] == f"/me/dossiers/{case.code}"
    assert f"Hồ sơ {case.code} đã được tiếp nhận." in message.a.text
