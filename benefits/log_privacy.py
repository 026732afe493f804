"""No personal data in the logs (issue 29.5; decision 105).

Every log record of the process, whatever logger writes it (the portal's, Flask's
500 handler, werkzeug's or gunicorn's access log, RQ), passes here when it is made:

- a full ID number (12 digits in a row) in its message is masked as the pages mask it
  (``001******345``): an ID-number search sent in an address reaches the access log
  masked;
- a database error in its traceback is written without what the database quotes of
  the data: SQLAlchemy hides the statement's parameters (``hide_parameters``, set with
  the engine's options in ``config.py``), and here the driver's message keeps its first
  line and loses PostgreSQL's ``DETAIL`` (``Key (national_id)=(…)``, ``Failing row
  contains (…, name, …)``) and any quoted value.

Names cannot be recognised in free text, so what would hold them is not written at
all: the database's details, and e-mail bodies outside development
(``benefits.notify.mail``).
"""

from __future__ import annotations

import logging
import re
import traceback

from sqlalchemy.exc import DBAPIError, StatementError

from benefits.people.national_id import mask_national_id

_FULL_ID = re.compile(r"(?<!\d)\d{12}(?!\d)")
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_INSTALLED = "_benefits_log_privacy"


def mask_ids(text: str) -> str:
    return _FULL_ID.sub(lambda m: mask_national_id(m.group()), text)


def database_error_text(error: BaseException) -> str:
    """What a database error may say in a log: its kind, the driver's first line with
    quoted values removed, and the statement without its parameters."""
    orig = getattr(error, "orig", None)
    first_line = str(orig if orig is not None else error).split("\n", 1)[0]
    first_line = _QUOTED.sub('"…"', first_line)
    kind = type(orig).__name__ if orig is not None else type(error).__name__
    statement = getattr(error, "statement", None)
    text = f"({kind}) {first_line}"
    diag = getattr(orig, "diag", None)  # PostgreSQL names what refused, never the values
    if diag is not None:
        names = {"sqlstate": getattr(orig, "sqlstate", None), "table": diag.table_name,
                 "column": diag.column_name, "constraint": diag.constraint_name}  # fmt: skip
        text += "".join(f" {key}={value}" for key, value in names.items() if value)
    if statement:
        text += f"\n[SQL: {statement}]"
    return mask_ids(text)


def _scrubbed_traceback(exc_info) -> str:
    kind, value, tb = exc_info
    lines = []
    for error in _chain(value):
        if isinstance(error, DBAPIError | StatementError):
            shown = f"{type(error).__module__}.{type(error).__qualname__}: "
            shown += database_error_text(error)
        else:
            shown = "".join(traceback.format_exception_only(type(error), error)).rstrip()
        stack = "".join(traceback.format_tb(error.__traceback__))
        lines.append(f"Traceback (most recent call last):\n{stack}{shown}")
    return mask_ids("\n\nThe above exception was the direct cause of:\n\n".join(lines))


def _chain(error: BaseException | None) -> list[BaseException]:
    chain: list[BaseException] = []
    while error is not None and error not in chain:
        chain.insert(0, error)
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    return chain


def _scrub(record: logging.LogRecord) -> logging.LogRecord:
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = _scrubbed_traceback(record.exc_info)
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed record is logging's own problem
        return record
    if _FULL_ID.search(message):
        record.msg, record.args = mask_ids(message), None
    return record


def install() -> None:
    """Make every log record of the process go through :func:`_scrub` (once)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, _INSTALLED, False):
        return

    def factory(*args, **kwargs):
        return _scrub(previous(*args, **kwargs))

    setattr(factory, _INSTALLED, True)
    logging.setLogRecordFactory(factory)
