"""Nothing typed is lost when a form has expired (issue 30 item 4, decision 126).

A form whose CSRF token no longer matches the session (opened before a log-out in another
tab, a browser restoring a tab the next morning, a restart) is refused: nothing it asks
is done. Its page is then shown again, as its own view renders it for a GET, with what
was typed put back into its fields and a message to check it and send it again; files
cannot be sent back to the browser, and the message says to choose them again.

The view is run as the GET it also answers, through every ``before_request`` check again
(log-in, role, password to change), so that showing the form again never shows what the
person could not see by opening it: a GET changes nothing.
"""

from __future__ import annotations

from flask import current_app, flash, g, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from benefits.forms import TYPED_INTO_AN_EXPIRED_FORM

NOT_KEPT = ("csrf_token",)


def show_the_form_again():
    """The form's page again, with what was typed, or None when the request's address
    shows no page (a POST-only action: lock, check, ask for papers)."""
    if request.url_rule is None or "GET" not in (request.url_rule.methods or ()):
        return None
    g.setdefault(TYPED_INTO_AN_EXPIRED_FORM, MultiDict(
        [(k, v) for k, v in request.form.items(multi=True) if k not in NOT_KEPT]
    ))  # fmt: skip
    files = any(f.filename for f in request.files.values())
    message = _("The form had expired, so nothing was sent. What you typed is back in the "
                "form below: check it and send it again.")  # fmt: skip
    if files:
        message += " " + _("The files you had chosen could not be kept: choose them again.")
    if any("password" in name and value for name, value in request.form.items()):
        message += " " + _("Passwords are never shown again: type yours again.")
    flash(message, "error")
    request.method = "GET"
    request.environ["REQUEST_METHOD"] = "GET"
    response = current_app.preprocess_request()
    if response is None:
        response = current_app.dispatch_request()
    response = current_app.make_response(response)
    if response.status_code == 200:
        response.status_code = 400  # refused: nothing was done
    return response
