"""No personal data in the logs (issue 29.5; decision 105): database errors, access logs
and emails, captured as the process logs them; attachments kept in no cache."""

import logging
import sys
import threading
import urllib.request
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError
from werkzeug.serving import make_server

from benefits.accounts.audit import Actor
from benefits.extensions import db
from benefits.people.models import Person
from tests.builders import create_person
from tests.integration.test_case_decisions import apply_for_child

NAME = "Trần Thị Bí Mật"
ID_NUMBER = "001190054321"


def a_database_error() -> BaseException:
    """A real one: a second person with the same ID number (PostgreSQL's message quotes
    the key; its statement's parameters hold the name)."""
    create_person(national_id=ID_NUMBER, full_name=NAME, date_of_birth=date(1990, 1, 1),
                  sex="F")  # fmt: skip
    try:
        with db.session.begin_nested():
            db.session.add(Person(national_id=ID_NUMBER, full_name=NAME, sex="F",
                                  date_of_birth=date(1990, 1, 1),
                                  commune_code="00070"))  # fmt: skip
            db.session.flush()
    except IntegrityError as error:
        return error
    raise AssertionError("no error")


def test_a_database_error_is_logged_without_its_values(app, caplog):
    error = a_database_error()
    assert ID_NUMBER not in str(error) or db.engine.dialect.name == "postgresql"
    with caplog.at_level(logging.ERROR):
        try:
            raise error
        except IntegrityError:
            logging.getLogger("benefits.jobs").exception("job failed for %s", ID_NUMBER)
    text = caplog.text
    assert ID_NUMBER not in text and NAME not in text
    assert "001******321" in text  # the ID in the message, masked as on the pages
    assert "IntegrityError" in text and "INSERT INTO persons" in text


def test_the_500_handler_logs_the_error_without_its_values(app, caplog):
    error = a_database_error()
    with (
        app.test_request_context(f"/officer/registry?q={ID_NUMBER}"),
        caplog.at_level(logging.ERROR),
    ):
        try:
            raise error
        except IntegrityError:
            app.log_exception(sys.exc_info())
    assert "Exception on /officer/registry" in caplog.text
    assert ID_NUMBER not in caplog.text and NAME not in caplog.text


@pytest.fixture
def server(app, committed_db):
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def test_an_id_number_search_leaves_no_full_id_in_the_access_log(server, caplog):
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        request = urllib.request.Request(  # noqa: S310 - a loopback http URL of the test
            f"{server}/officer/registry?q={ID_NUMBER}"
        )
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310
            pass
    access = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("/officer/registry?q=001******321" in line for line in access), access
    assert ID_NUMBER not in caplog.text


def test_an_email_reaches_the_log_only_in_development(app, caplog, monkeypatch):
    from benefits.accounts.password_reset import send_reset_email
    from benefits.accounts.service import create_staff_user
    from tests.builders import PASSWORD

    user = create_staff_user("officer", "bi.mat@xa.gov.vn", NAME, PASSWORD,
                             Actor.system("test"), commune_code="00070")  # fmt: skip
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    with app.test_request_context(), caplog.at_level(logging.INFO):
        send_reset_email(user.id)
    assert "/password/reset/" in caplog.text  # development: the link, to try it out
    caplog.clear()
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    with app.test_request_context(), caplog.at_level(logging.INFO):
        send_reset_email(user.id)
    assert "/password/reset/" not in caplog.text and NAME not in caplog.text
    assert "bi.mat@" not in caplog.text
    assert "email to b***@xa.gov.vn not sent: MAIL_SERVER is not set" in caplog.text


def test_an_attachment_is_downloaded_with_no_store(app, client, citizen):
    from benefits.cases.models import Attachment

    case = apply_for_child(client)
    attachment = db.session.scalars(db.select(Attachment)).first()
    response = client.get(f"/me/dossiers/{case.code}/attachments/{attachment.id}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
