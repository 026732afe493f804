"""Checking a death registration as received (interchange.md section 2): every problem,
field by field, so the civil registry can correct its message."""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, select

from benefits.deaths.service import DeathReport
from benefits.extensions import db
from benefits.people.national_id import InvalidNationalId, check_national_id
from benefits.places.models import Commune

REQUIRED = ("registration_number", "national_id", "full_name", "date_of_death",
            "registered_on", "commune_code", "declarant")  # fmt: skip


def parse_death_report(payload, today: date) -> tuple[DeathReport | None, list[dict]]:
    errors: list[dict] = []

    def error(field: str, message: str) -> None:
        errors.append({"field": field, "message": message})

    if not isinstance(payload, dict):
        return None, [{"field": "", "message": "the body must be a JSON object"}]
    for field in REQUIRED:
        if payload.get(field) in (None, "", {}):
            error(field, "required")
    text = {f: payload.get(f) for f in REQUIRED if f != "declarant"}
    for field, value in text.items():
        if value not in (None, "") and not isinstance(value, str):
            error(field, "must be a string")
            text[field] = None
    if isinstance(text["registration_number"], str) and len(text["registration_number"]) > 60:
        error("registration_number", "at most 60 characters")
    _check_id(text["national_id"], "national_id", error)
    dates = {}
    for field in ("date_of_death", "registered_on"):
        if text[field]:
            try:
                dates[field] = date.fromisoformat(text[field])
            except ValueError:
                error(field, "not a date (YYYY-MM-DD)")
    death, registered = dates.get("date_of_death"), dates.get("registered_on")
    if death and death > today:
        error("date_of_death", "in the future")
    if death and registered and death > registered:
        error("date_of_death", "after registered_on")
    if registered and registered > today:
        error("registered_on", "in the future")
    if text["commune_code"] and not _commune_exists(text["commune_code"]):
        error("commune_code", "unknown commune")
    declarant = payload.get("declarant")
    if declarant not in (None, "", {}):
        if not isinstance(declarant, dict):
            error("declarant", "must be an object")
        else:
            if not isinstance(declarant.get("full_name"), str) or not declarant["full_name"]:
                error("declarant.full_name", "required")
            _check_id(declarant.get("national_id"), "declarant.national_id", error)
            relationship = declarant.get("relationship")
            if relationship is not None and not isinstance(relationship, str):
                error("declarant.relationship", "must be a string")
    if errors:
        return None, errors
    return DeathReport(
        registration_number=text["registration_number"],
        national_id=text["national_id"],
        full_name=text["full_name"],
        date_of_death=death,
        registered_on=registered,
        commune_code=text["commune_code"],
        declarant={
            "full_name": declarant["full_name"],
            "national_id": declarant["national_id"],
            "relationship": declarant.get("relationship"),
        },
    ), []


_COMMUNE = select(Commune.__table__.c.code).where(Commune.__table__.c.code == bindparam("code"))


def _commune_exists(code: str) -> bool:
    return db.session.execute(_COMMUNE, {"code": code}).first() is not None


def _check_id(value, field: str, error) -> None:
    if value in (None, ""):
        if field != "national_id":
            error(field, "required")
        return
    if not isinstance(value, str):
        error(field, "must be a string")
        return
    try:
        check_national_id(value)
    except InvalidNationalId as problem:
        error(field, str(problem))
