"""The reference rows of provinces and communes, read from ``vietnam-provinces``.

Used by the migration that loads them, so that ``flask db upgrade`` alone leaves a
database that knows every commune code.
"""

from __future__ import annotations

from vietnam_provinces import Province, Ward


def province_code(value: int | str) -> str:
    return f"{int(value):02d}"


def commune_code(value: int | str) -> str:
    return f"{int(value):05d}"


def province_rows() -> list[dict]:
    return [
        {
            "code": province_code(p.code),
            "name": p.name,
            "division_type": str(p.division_type.value),
        }
        for p in Province.iter_all()
    ]


def commune_rows() -> list[dict]:
    return [
        {
            "code": commune_code(w.code),
            "name": w.name,
            "division_type": str(w.division_type.value),
            "province_code": province_code(w.province_code),
        }
        for w in Ward.iter_all()
    ]
