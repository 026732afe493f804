"""One commit per request (decision 79): what a view returns is kept, what raises is not.

A small app of its own, with views that write an audit row and then answer in each way a
view can, on the real database (``committed_db``: the app's own engine really commits).
"""

from __future__ import annotations

import pytest
from flask import Blueprint, abort, render_template_string
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import StringField

from benefits import create_app
from benefits.accounts.audit import Actor, AuditEntry, record_audit
from benefits.errors import AlreadyRecorded, DomainError, InvalidTransition, NotFound
from benefits.extensions import db
from benefits.web.transaction import refusals_onto, status_of

probe_bp = Blueprint("probe", __name__, url_prefix="/probe")


def _write(note: str) -> None:
    record_audit(Actor.system("probe"), "account.create", "user", note)
    db.session.flush()


class NameForm(FlaskForm):
    name = StringField("Name")


@probe_bp.post("/kept")
def kept():
    _write("kept")
    return "done"


@probe_bp.post("/returned-an-error-page")
def returned_an_error_page():
    _write("error-page")  # e.g. the audit row of a failed log-in
    return "refused, and recorded", 403


@probe_bp.route("/refused", methods=["GET", "POST"])
def refused():
    _write("refused")
    raise DomainError("Not allowed today.")


@probe_bp.post("/refused-action")
def refused_action():
    _write("refused-action")
    raise InvalidTransition("Already locked.")


@probe_bp.post("/aborted")
def aborted():
    _write("aborted")
    abort(404)


@probe_bp.post("/field")
def field():
    form = NameForm()
    with refusals_onto(form) as refusal:
        _write("field")
        raise DomainError("This name is taken.", field="name")
    assert refusal
    return render_template_string("{{ form.name.errors[0] }}", form=form), 422


@probe_bp.post("/old-style")
def old_style():
    _write("old-style")
    db.session.commit()  # a view not yet moved to the request's commit still works
    return "done"


@pytest.fixture(scope="module")
def probe_app(app):
    probe = create_app({**{k: app.config[k] for k in (
        "TESTING", "WTF_CSRF_ENABLED", "SQLALCHEMY_DATABASE_URI", "UPLOAD_FOLDER",
        "RATELIMIT_STORAGE_URI")}})  # fmt: skip
    probe.register_blueprint(probe_bp)
    return probe


def _rows(note: str) -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.object_id == note)
    )


def test_what_a_view_returns_is_committed_whatever_its_status(probe_app, committed_db):
    client = probe_app.test_client()
    assert client.post("/probe/kept").status_code == 200
    assert client.post("/probe/returned-an-error-page").status_code == 403
    assert client.post("/probe/old-style").status_code == 200
    assert (_rows("kept"), _rows("error-page"), _rows("old-style")) == (1, 1, 1)


def test_a_refusal_rolls_back_and_sends_the_user_back_with_its_message(probe_app, committed_db):
    client = probe_app.test_client()
    answer = client.post("/probe/refused")
    assert answer.status_code == 302 and answer.location.endswith("/probe/refused")
    assert "Not allowed today." in client.get("/", follow_redirects=True).get_data(as_text=True)
    sent_from = "http://localhost/some/page"
    action = client.post("/probe/refused-action", headers={"Referer": sent_from})
    assert (action.status_code, action.location) == (302, sent_from)
    page = client.get("/probe/refused")  # a page cannot send the user back to itself
    assert page.status_code == 422 and "Not allowed today." in page.get_data(as_text=True)
    assert (_rows("refused"), _rows("refused-action")) == (0, 0)


def test_an_abort_rolls_back_too(probe_app, committed_db):
    assert probe_app.test_client().post("/probe/aborted").status_code == 404
    assert _rows("aborted") == 0


def test_a_refusal_shown_next_to_its_field_keeps_nothing(probe_app, committed_db):
    answer = probe_app.test_client().post("/probe/field", data={"name": "x"})
    assert (answer.status_code, answer.get_data(as_text=True)) == (422, "This name is taken.")
    assert _rows("field") == 0


def test_the_api_status_of_each_refusal_is_mapped_in_one_place():
    assert status_of(NotFound("x")) == 404
    assert status_of(InvalidTransition("x")) == 409
    assert status_of(AlreadyRecorded("x")) == 409
    assert status_of(DomainError("x")) == 422
