"""Reading back an XLSX the portal wrote, with the standard library only (the project
has no spreadsheet reader installed): sheets as lists of rows of values. The files are
the portal's own, written in the test (hence no defusedxml)."""

from __future__ import annotations

import re
import zipfile
from xml.etree import ElementTree

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _column(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref).group(0)
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1


def read_xlsx(path) -> dict[str, list[list]]:
    with zipfile.ZipFile(path) as book:
        shared = []
        if "xl/sharedStrings.xml" in book.namelist():
            root = ElementTree.fromstring(  # noqa: S314
                book.read("xl/sharedStrings.xml")
            )
            shared = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t"))
                      for si in root.findall("m:si", NS)]  # fmt: skip
        workbook = ElementTree.fromstring(  # noqa: S314
            book.read("xl/workbook.xml")
        )
        rels = ElementTree.fromstring(  # noqa: S314
            book.read("xl/_rels/workbook.xml.rels")
        )
        targets = {rel.get("Id"): rel.get("Target") for rel in rels}
        sheets = {}
        for sheet in workbook.find("m:sheets", NS):
            xml = ElementTree.fromstring(  # noqa: S314
                book.read("xl/" + targets[sheet.get(REL)])
            )
            rows = []
            for row in xml.iter(f"{{{NS['m']}}}row"):
                values: list = []
                for cell in row.findall("m:c", NS):
                    col = _column(cell.get("r"))
                    values.extend([None] * (col + 1 - len(values)))
                    kind, raw = cell.get("t"), cell.find("m:v", NS)
                    if kind == "s":
                        values[col] = shared[int(raw.text)]
                    elif kind == "inlineStr":
                        values[col] = "".join(t.text or "" for t in cell.iter(f"{{{NS['m']}}}t"))
                    elif raw is not None:
                        number = float(raw.text)
                        values[col] = int(number) if number.is_integer() else number
                rows.append(values)
            sheets[sheet.get("name")] = rows
        return sheets


def row_labelled(rows: list[list], label: str) -> list:
    """The first row whose second cell (the row's label) is ``label``."""
    return next(row for row in rows if len(row) > 1 and row[1] == label)
