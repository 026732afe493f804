"""One commit per request, and one way to answer a refusal (decision 79).

As Indico's ``RH.process`` does: the request's work is committed once, at its end, when
its view (and the ``before_request`` checks) returned a response; an exception raised on
the way (a :class:`~benefits.errors.DomainError`, an ``abort(404)``, a CSRF or size
refusal) rolls everything back before its handler answers. Views and the services they
call only flush.

- A view that *returns*, whatever the status of its answer, is committed: a failed log-in
  re-renders its form with an audit row that must stay, and an error page a view chooses
  to return is still a page that went as planned.
- A ``DomainError`` that leaves the view is answered by :func:`answer_refusal`: on the
  web, the message flashed and the user sent back to the page (or a page saying what was
  refused); on the API, a JSON body with the status of :func:`status_of`.
- A view that wants the message next to a form field uses :func:`refusals_onto`, which
  rolls back, puts the message on the field and lets the view render its form again.
- Jobs (``benefits.jobs``, the modules' ``tasks.py``) and CLI commands keep their own
  commit: they run outside a request.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from flask import (
    Flask,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
)
from flask_babel import force_locale

from benefits.errors import AlreadyRecorded, DomainError, InvalidTransition, NotFound
from benefits.extensions import db

# The HTTP status of each kind of refusal, in one place; any other DomainError is 422.
STATUS_OF_REFUSAL: dict[type[DomainError], int] = {
    NotFound: 404,
    InvalidTransition: 409,
    AlreadyRecorded: 409,
}
API_BLUEPRINTS = ("api",)

_ROLLED_BACK = "request_rolled_back"


def status_of(error: DomainError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS_OF_REFUSAL:
            return STATUS_OF_REFUSAL[kind]
    return 422


class Portal(Flask):
    """The Flask application, with a request that rolls back when it raises."""

    def handle_user_exception(self, e):
        # Whatever handler answers the exception, nothing the request did is kept.
        roll_back_the_request()
        return super().handle_user_exception(e)


def roll_back_the_request() -> None:
    db.session.rollback()
    g.setdefault(_ROLLED_BACK, True)


def _commit_the_request(response):
    if not g.get(_ROLLED_BACK):
        # A no-op when nothing was changed, or when an older view already committed.
        db.session.commit()
    return response


@contextlib.contextmanager
def refusals_onto(form, default: str | None = None) -> Iterator[list]:
    """Catch a ``DomainError`` raised inside, roll back, and show it on ``form``: next to
    its ``field`` when the form has one, else next to ``default``, else at the form's top
    (its error summary).

    The yielded list is empty unless something was refused::

        with refusals_onto(form) as refused:
            register_citizen(...)
        if not refused:
            flash(...)
            return redirect(...)
        return render_template(..., form=form)
    """
    refused: list[DomainError] = []
    try:
        yield refused
    except DomainError as error:
        roll_back_the_request()
        # The rest of the request is still committed: nothing is left to commit but what
        # the view does after (e.g. a flash), and nothing of the refused change.
        g.pop(_ROLLED_BACK, None)
        refused.append(error)
        field = error.field if error.field in form else default
        if field:
            target = form[field]
            target.errors = [*target.errors, error.message]  # a tuple until validated
        else:
            form.form_errors.append(error.message)


def answer_refusal(error: DomainError):
    """The one answer to a ``DomainError`` that left a view (already rolled back)."""
    status = status_of(error)
    if request.blueprint in API_BLUEPRINTS:
        with force_locale("en"):  # system clients read English (interchange.md section 2)
            body = {"error": str(error.message)}
        if error.field:
            body["field"] = error.field
        return jsonify(body), status
    if status == 404:
        return render_template("errors/404.html"), 404
    if request.method != "GET":
        back = _page_of_the_form() or _same_site_referrer()
        if back:
            flash(error.message, "error")
            return redirect(back)
    return render_template(
        "errors/refused.html", message=error.message, back=_same_site_referrer()
    ), status


def _page_of_the_form() -> str | None:
    if request.url_rule is not None and "GET" in (request.url_rule.methods or ()):
        return request.full_path if request.query_string else request.path
    return None


def _same_site_referrer() -> str | None:
    referrer = request.referrer or ""
    if referrer.startswith(request.host_url) and referrer != request.url:
        return referrer
    return None


def init_app(app: Flask) -> None:
    app.after_request(_commit_the_request)
    app.register_error_handler(DomainError, answer_refusal)
