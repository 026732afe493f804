"""Fill a catalogue's translations.

    python tools/po_fill.py en                # English: msgstr = msgid where empty
    python tools/po_fill.py vi a.json b.json  # set msgstr from {msgid: msgstr} files

Keeps everything else in the catalogue as it is.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    lang = argv[1]
    path = ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    given: dict = {}
    for name in argv[2:]:  # later files win, so a pending file can correct an older one
        given.update(json.loads(Path(name).read_text(encoding="utf-8")))
    changed = 0
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in given:
            value = given[key]
            if message.pluralizable and not isinstance(value, list):
                if _translated(message):
                    continue  # a singular's translation never replaces plural forms
                value = [value] * catalog.num_plurals
            message.string = tuple(value) if isinstance(value, list) else value
            message.flags.discard("fuzzy")
            changed += 1
        elif lang == "en" and not _translated(message):
            message.string = message.id if isinstance(message.id, str) else tuple(message.id)
            changed += 1
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, sort_output=True)
    missing = [m.id for m in catalog if m.id and not _translated(m)]
    print(f"{lang}: {changed} set, {len(missing)} still untranslated")
    for m in missing:
        print("  missing:", m if isinstance(m, str) else m[0])
    return 0


def _translated(message) -> bool:
    if isinstance(message.string, tuple | list):
        return all(message.string)
    return bool(message.string)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
