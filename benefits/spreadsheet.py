"""Spreadsheet safety of the files the portal writes (interchange.md conventions): a text
cell of a CSV or XLSX that would begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return, which a spreadsheet program reads as a formula, is written with a leading
apostrophe (``'``). Money and other number columns are never text and are left alone: a
negative amount stays a number."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """``value`` as a spreadsheet cell shows it as text, never as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def safe_text_sql(expression: str) -> str:
    """``safe_text`` in PostgreSQL, for a text ``expression`` written by ``COPY``: the
    first letter's code compared as an integer (a third of the cost of ``left(x, 1) IN``
    over a million lines)."""
    codes = ", ".join(str(ord(c)) for c in FORMULA_STARTS)
    return (
        f"CASE WHEN ascii({expression}) IN ({codes}) THEN '''' || {expression} "
        f"ELSE {expression} END"
    )
