"""The cells of the reports' CSV and XLSX files: text through the portal's one rule of
spreadsheet safety (``benefits.spreadsheet``), numbers as they are (money columns are
never text)."""

from __future__ import annotations

from benefits.spreadsheet import safe_text as _safe_text


def safe_text(value):
    """A text value with an apostrophe before a formula's first sign; any other left."""
    return _safe_text(value) if isinstance(value, str) else value
