"""A dashboard table as CSV: the page's columns in the reader's language, each code
beside its words, numbers plain (interchange.md conventions: UTF-8 with a BOM)."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from benefits.labels import category_name, place_name, procedure_name
from benefits.reports.dashboard import Table
from benefits.reports.spreadsheet import safe_text

# The code columns and how they read.
WORDS = {"category": category_name, "commune": place_name, "procedure": procedure_name}


def table_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    key, key_words = table.columns[0]
    header = [str(key_words)]
    if key in WORDS:
        header.append(_("In words"))
    writer.writerow(header + [str(words) for _code, words in table.columns[1:]])
    for row in table.rows:
        values = [str(row[0])]
        if key in WORDS:
            values.append(WORDS[key](row[0]))
        values += ["" if value is None else value for value in row[1:]]
        writer.writerow([safe_text(value) for value in values])
    return "\ufeff" + buffer.getvalue()
