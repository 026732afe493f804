"""What every free text the portal accepts must not be (interchange.md, conventions).

Spreadsheet safety: a name, an address, a code or any other free text beginning with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is what Excel and LibreOffice run
as a formula when a list the portal writes is opened; such a text is refused at input
(web forms, the API and the caseload import alike), with a clear error (decision 104).
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# For a message: the characters as a reader can see them.
FORMULA_STARTS_SHOWN = "= + - @"
# Any control character (C0 and DEL): what the API refuses anywhere in a text field.
ANY_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")


def starts_like_a_formula(text: str | None) -> bool:
    return bool(text) and text.startswith(FORMULA_STARTS)
