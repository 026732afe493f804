"""What every CSV and XLSX the reports write shares (interchange.md conventions)."""

from __future__ import annotations

# interchange.md: a text cell that would begin with one of these is written with a
# leading apostrophe, as spreadsheet programs expect (no formula is ever run).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value):
    """``value`` as written in a text cell: an apostrophe before a formula's first sign.
    Numbers are left as they are (money columns are never text)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
