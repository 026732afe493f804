"""What every free text the portal accepts must not be (interchange.md, conventions).

Spreadsheet safety: a name, an address, a code or any other free text beginning with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is what Excel and LibreOffice run
as a formula when a list the portal writes is opened; such a text is refused at input
(web forms, the API and the caseload import alike), with a clear error (decision 104).
Spaces before the character count for nothing: the portal strips them when it stores.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from benefits.errors import DomainError

FORMULA_FIRST = frozenset("=+-@")
# Every first character a spreadsheet runs as a formula, as ``str.startswith`` takes them
# (the exports put an apostrophe before a cell beginning so: benefits.spreadsheet).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Any control character (C0 and DEL): what the API refuses anywhere in a text field.
ANY_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")
FORMULA_MESSAGE = _l(
    "This text cannot begin with =, +, -, @, a tab or a line break: a spreadsheet would "
    "read it as a formula. Remove or change the first character."
)


def starts_like_a_formula(text: str | None) -> bool:
    if not isinstance(text, str) or not text:
        return False
    return text[0] in "\t\r" or text.lstrip()[:1] in FORMULA_FIRST


def refuse_formula(text: str | None, field: str) -> None:
    """A :class:`DomainError` on ``field`` when ``text`` begins like a formula (for the
    free texts a view reads without a form)."""
    if starts_like_a_formula(text):
        raise DomainError(FORMULA_MESSAGE, field=field)
