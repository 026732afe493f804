"""Reading back an XLSX the portal wrote, without a spreadsheet library: its sheets'
names and each sheet's cells as rows of values (numbers as numbers, text as written)."""

from __future__ import annotations

import re
import zipfile
from xml.etree import ElementTree  # noqa: S405 - files the tests themselves wrote

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _column(reference: str) -> int:
    letters = re.match(r"[A-Z]+", reference).group()
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def read_xlsx(path) -> dict[str, list[list]]:
    """``{sheet name: rows}``, each row a list of cell values by column (None: empty)."""
    with zipfile.ZipFile(path) as book:
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))  # noqa: S314
        names = [sheet.get("name") for sheet in workbook.iter(f"{{{NS['m']}}}sheet")]
        shared = []
        if "xl/sharedStrings.xml" in book.namelist():
            root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))  # noqa: S314
            shared = [
                "".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t"))
                for si in root.findall("m:si", NS)
            ]
        sheets = {}
        for number, name in enumerate(names, start=1):
            root = ElementTree.fromstring(book.read(f"xl/worksheets/sheet{number}.xml"))  # noqa: S314
            rows = []
            for row in root.iter(f"{{{NS['m']}}}row"):
                cells: list = []
                for cell in row.findall("m:c", NS):
                    column = _column(cell.get("r"))
                    cells.extend([None] * (column + 1 - len(cells)))
                    kind = cell.get("t")
                    if kind == "inlineStr":
                        value = "".join(t.text or "" for t in cell.iter(f"{{{NS['m']}}}t"))
                    elif kind == "s":
                        value = shared[int(cell.find("m:v", NS).text)]
                    elif kind == "str":
                        value = cell.find("m:v", NS).text
                    else:
                        raw = cell.find("m:v", NS)
                        value = None if raw is None else float(raw.text)
                        value = int(value) if value is not None and value.is_integer() else value
                    cells[column] = value
                rows.append(cells)
            sheets[name] = rows
    return sheets
