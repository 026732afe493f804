"""Whose figures a report shows: the user's commune, or their province (domain.md
section 1: everyone but a province admin sees only their own commune). A commune asked
for outside it is unknown (404), never refused (nothing leaks)."""

from __future__ import annotations

from sqlalchemy import select

from benefits.errors import NotFound
from benefits.places.models import Commune
from benefits.reports.health_insurance import Scope
from benefits.reports.reading import reader


def scope_of_user(user, commune_code: str | None = None) -> Scope:
    """The user's scope, narrowed to ``commune_code`` when given and theirs to see."""
    commune_code = (commune_code or "").strip() or None
    if user.commune_code:
        if commune_code not in (None, user.commune_code):
            raise NotFound("unknown commune")
        return Scope(province_code=_province_of(user.commune_code), commune_code=user.commune_code)
    if not user.province_code:
        raise NotFound("no province")
    if commune_code is None:
        return Scope(province_code=user.province_code)
    if _province_of(commune_code) != user.province_code:
        raise NotFound("unknown commune")
    return Scope(province_code=user.province_code, commune_code=commune_code)


def _province_of(commune_code: str) -> str | None:
    return reader().scalar(select(Commune.province_code).where(Commune.code == commune_code))
