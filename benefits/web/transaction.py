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
from collections.abc import Callable, Iterator
from typing import TypeVar

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
from sqlalchemy.exc import IntegrityError

from benefits.deaths.service import ConflictingReplay
from benefits.errors import AlreadyRecorded, DomainError, InvalidTransition, NotFound
from benefits.extensions import db
from benefits.jobs import dropped_jobs_on_error
from benefits.request_boundary import (
    commit_the_request,
    roll_back_the_refused_work,
)

T = TypeVar("T")

# The HTTP status of each kind of refusal, in one place; any other DomainError is 422.
STATUS_OF_REFUSAL: dict[type[DomainError], int] = {
    NotFound: 404,
    InvalidTransition: 409,
    AlreadyRecorded: 409,
    ConflictingReplay: 409,  # a registration number received again with other content
}
API_BLUEPRINTS = ("api",)


def status_of(error: DomainError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS_OF_REFUSAL:
            return STATUS_OF_REFUSAL[kind]
    return 422


@contextlib.contextmanager
def refusals_onto(
    form=None,
    default: str | None = None,
    renamed: dict[str, str] | None = None,
    passing: type[DomainError] | tuple[type[DomainError], ...] = (),
) -> Iterator[list]:
    """Catch a ``DomainError`` raised inside, roll back, and show it on ``form``: next to
    its ``field`` (named as ``renamed`` says, when the form calls it otherwise) when the
    form has one, else next to ``default``, else at the form's top (its error summary).
    Without a form, a refusal naming no field is flashed, and one naming a field is left
    to the view to show. The kinds named by ``passing`` (a second click:
    ``AlreadyRecorded``) are left to the one handler, which sends the user back to the
    page.

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
        if isinstance(error, passing):
            raise
        # What the view does after (a flash, a page) is a planned answer again; nothing of
        # the refused change is left to commit.
        roll_back_the_refused_work()
        refused.append(error)
        if form is None:
            if not error.field:
                flash(error.message, _flash_category(error))
            return
        field = (renamed or {}).get(error.field, error.field)
        field = field if field in form else default
        if field:
            target = form[field]
            target.errors = [*target.errors, error.message]  # a tuple until validated
        else:
            form.form_errors.append(error.message)


def back_on_refusal(page: str) -> str:
    """Name the page a refusal of this request sends the user back to (with its message
    flashed), and return it: usually also where success goes::

        page = back_on_refusal(url_for("officer.case_detail", code=case.code))
        start_checking(case, request_actor())
        return redirect(page)
    """
    g.refusal_page = page
    return page


def once_more_after_a_race(action: Callable[[], T]) -> T:
    """Run ``action`` in a savepoint; when it meets, on a unique constraint, the row a
    concurrent request has just committed (the same form sent twice at once, the same
    death reported twice), roll back to the savepoint and run it once more: it then finds
    that row (on PostgreSQL each statement reads what is committed) and answers as for a
    replay. The jobs the first run enqueued are dropped with it."""
    for attempt in (1, 2):
        with dropped_jobs_on_error():
            try:
                with db.session.begin_nested():
                    return action()
            except IntegrityError:
                if attempt == 2:
                    raise
    raise AssertionError("unreachable")


def _flash_category(error: DomainError) -> str:
    return "info" if isinstance(error, AlreadyRecorded) else "error"  # a second click


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
        back = g.get("refusal_page") or _page_of_the_form() or _same_site_referrer()
        if back:
            flash(error.message, _flash_category(error))
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
    app.after_request(commit_the_request)
    app.register_error_handler(DomainError, answer_refusal)
