"""Input that no page of the portal can take, refused at the door in one place (issue 29.1).

A browser never sends a control character (NUL, ESC ...) in a form field or an address,
and PostgreSQL cannot even store a NUL; a number in an address that no row can have (a
20-digit page number) would reach the database as an out-of-range value. Both used to
answer 500. Here, before any view runs:

- a control character other than tab, line feed and carriage return in the address, a
  query parameter, a form field (name or value) or a file name answers 400 with a
  translated page, and nothing is done (decision 100);
- ``request.args.get(name, type=int)`` (and ``request.form``) answers 400 for a whole
  number outside the database's ``integer``; any other text still gives the default, as
  the views expect (decision 100);
- ``<int:...>`` in a route matches only the database's ``integer`` range: a larger number
  is a page that does not exist (404);
- a JSON body nested deeper than :data:`MAX_JSON_DEPTH`, or so deep that Python's parser
  gives up, reads as no JSON at all (the API answers 422).

The JSON API is checked by its own validation (interchange.md section 2 wants a
field-by-field 422 for a control character, after the 401 of a missing token), so this
module leaves its requests alone.
"""

from __future__ import annotations

import re

from flask import Flask, Request, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

# What a typed text may hold besides printable characters: tab, line feed, carriage return.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# PostgreSQL's ``integer``, the type of every id and counter a page parameter names.
DATABASE_INT_MIN, DATABASE_INT_MAX = -(2**31), 2**31 - 1
MAX_JSON_DEPTH = 20
API_BLUEPRINTS = ("api",)

CONTROL_MESSAGE = _l(
    "What was sent holds a character that cannot be typed (a control character such as "
    "NUL), so nothing was done. Go back, type the text again without it and send it once "
    "more."
)
RANGE_MESSAGE = _l(
    "The address of the page holds a number that is too large, so nothing was done. Go "
    "back to the page and follow its links instead of editing the address."
)


class UnusableInput(BadRequest):
    """400: input no page can take; ``message`` says what, in the reader's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def has_control_character(text: str) -> bool:
    return CONTROL_CHARACTER.search(text) is not None


def database_int(text: str) -> int:
    """``int(text)``, but a whole number the database cannot hold is refused (400)."""
    value = int(text)
    if not DATABASE_INT_MIN <= value <= DATABASE_INT_MAX:
        raise UnusableInput(RANGE_MESSAGE)
    return value


class BoundedParameters(ImmutableMultiDict):
    """Query and form parameters whose ``get(..., type=int)`` stays in the database's
    range (a number out of it is refused, not sent to the database)."""

    def get(self, key, default=None, type=None):  # noqa: A002 (werkzeug's signature)
        return super().get(key, default, database_int if type is int else type)


class PortalRequest(Request):
    parameter_storage_class = BoundedParameters


class DatabaseIntegerConverter(IntegerConverter):
    """``<int:id>``: a number beyond the database's ``integer`` matches no route (404)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 (werkzeug's signature)
        kwargs.setdefault("max", DATABASE_INT_MAX)
        super().__init__(map, *args, **kwargs)


class BoundedJSONProvider(DefaultJSONProvider):
    """A body nested too deeply reads as invalid JSON (a ``ValueError``), never as a
    ``RecursionError`` that would answer 500."""

    def loads(self, s, **kwargs):
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
        if _depth(value) > MAX_JSON_DEPTH:
            raise ValueError("JSON nested too deeply")
        return value


def _depth(value) -> int:
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_JSON_DEPTH:
                todo.extend((child, depth + 1) for child in _children(item))
    return deepest


def _children(item):
    return item.values() if isinstance(item, dict) else item


def _refuse_control_characters() -> None:
    if request.blueprint in API_BLUEPRINTS:
        return
    texts = [request.path, *_pairs(request.args)]
    if request.method not in ("GET", "HEAD"):
        texts += [*_pairs(request.form), *request.files.keys()]
        texts += [f.filename or "" for f in request.files.values()]
    if any(has_control_character(text) for text in texts):
        raise UnusableInput(CONTROL_MESSAGE)


def _pairs(parameters):
    for key, values in parameters.lists():
        yield key
        yield from values


def _answer(error: UnusableInput):
    from flask import jsonify
    from flask_babel import force_locale

    if request.blueprint in API_BLUEPRINTS:
        with force_locale("en"):
            return jsonify({"error": str(error.message)}), 400
    back = request.referrer if (request.referrer or "").startswith(request.host_url) else None
    return render_template("errors/400.html", message=error.message, back=back), 400


def init_app(app: Flask) -> None:
    """Before the blueprints: the converter is read when their routes are added."""
    app.request_class = PortalRequest
    app.url_map.converters["int"] = DatabaseIntegerConverter
    app.json = BoundedJSONProvider(app)
    app.before_request(_refuse_control_characters)
    app.register_error_handler(UnusableInput, _answer)
