"""Finding a commune from what a citizen types: its name as they say it ("Hoàn Kiếm",
"phuong hoan kiem", "Tân Phú, Đồng Nai") or its 5-digit code."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select

from benefits.extensions import db
from benefits.places.models import Commune, Province

# The words before a unit's own name (Decision 19/2025/QĐ-TTg: xã, phường, đặc khu).
_DIVISION_WORDS = ("xa ", "phuong ", "dac khu ", "thi tran ")


@dataclass(frozen=True)
class CommuneMatch:
    code: str
    name: str
    province_name: str


def fold(text: str) -> str:
    """Lower case, without tones or marks, single spaces: "Phường Hoàn Kiếm" and
    "phuong hoan kiem" fold alike (đ is d)."""
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return re.sub(r"\s+", " ", text).strip()


def _bare(folded: str) -> str:
    for word in _DIVISION_WORDS:
        if folded.startswith(word):
            return folded[len(word) :]
    return folded


def _province_folded(name: str) -> str:
    return _bare(fold(name).removeprefix("thanh pho ").removeprefix("tinh "))


def find_communes(typed: str) -> list[CommuneMatch]:
    """The communes ``typed`` names: a 5-digit code, or a name with or without "Xã" or
    "Phường", tones optional, optionally followed by ", province"."""
    typed = (typed or "").strip()
    if re.fullmatch(r"[0-9]{5}", typed):
        found = db.session.execute(
            select(Commune.code, Commune.name, Province.name)
            .join(Province, Commune.province_code == Province.code)
            .where(Commune.code == typed)
        ).all()
        return [CommuneMatch(*row) for row in found]
    name, _, province = typed.partition(",")
    wanted, wanted_province = _bare(fold(name)), _province_folded(province)
    if not wanted:
        return []
    rows = db.session.execute(
        select(Commune.code, Commune.name, Province.name)
        .join(Province, Commune.province_code == Province.code)
        .order_by(Province.name, Commune.name)
    ).all()
    return [
        CommuneMatch(*row)
        for row in rows
        if _bare(fold(row[1])) == wanted
        and (not wanted_province or wanted_province in _province_folded(row[2]))
    ]
