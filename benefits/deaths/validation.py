"""Checking a death registration as received (interchange.md section 2): every problem,
field by field, so the civil registry can correct its message.

The limits are the contract's (interchange.md section 2), and the OpenAPI description
(``benefits.api.openapi``) is built from the same constants, so that the two never
differ (decision 101).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, select

from benefits.deaths.service import DeathReport
from benefits.extensions import db
from benefits.people.national_id import InvalidNationalId, check_national_id
from benefits.places.models import Commune
from benefits.safe_text import ANY_CONTROL_CHARACTER, starts_like_a_formula

REQUIRED = ("registration_number", "national_id", "full_name", "date_of_death",
            "registered_on", "commune_code", "declarant")  # fmt: skip
# interchange.md section 2: names over 120 characters, registration_number over 40,
# relationship over 60, a date before 1900-01-01, a body over 64 KiB are refused.
NAME_MAX = 120
REGISTRATION_NUMBER_MAX = 40
RELATIONSHIP_MAX = 60
EARLIEST_DATE = date(1900, 1, 1)
BODY_MAX_BYTES = 64 * 1024
# The column that keeps a cancellation's reason (death_records.cancel_reason).
REASON_MAX = 500
# Free text, checked for control characters, formulas and length (decisions 101, 104).
TEXT_LIMITS = {"registration_number": REGISTRATION_NUMBER_MAX, "full_name": NAME_MAX}


def text_problem(value: str, limit: int) -> str | None:
    """Why a text field of the API is refused, or ``None``."""
    if ANY_CONTROL_CHARACTER.search(value):
        return "holds a control character"
    if len(value) > limit:
        return f"at most {limit} characters"
    if starts_like_a_formula(value):
        return "must not begin with =, +, -, @, a tab or a carriage return"
    return None


def parse_death_report(payload, today: date) -> tuple[DeathReport | None, list[dict]]:
    errors: list[dict] = []

    def error(field: str, message: str) -> None:
        errors.append({"field": field, "message": message})

    if not isinstance(payload, dict):
        message = "the body must be a JSON object (nested at most 20 deep)"
        return None, [{"field": "", "message": message}]
    for field in REQUIRED:
        if _missing(payload.get(field)):
            error(field, "required")
    text = {f: payload.get(f) for f in REQUIRED if f != "declarant"}
    for field, value in text.items():
        if not _missing(value) and not isinstance(value, str):
            error(field, "must be a string")
            text[field] = None
    for field, limit in TEXT_LIMITS.items():
        if isinstance(text[field], str) and (problem := text_problem(text[field], limit)):
            error(field, problem)
    _check_id(text["national_id"], "national_id", error)
    dates = {}
    for field in ("date_of_death", "registered_on"):
        if isinstance(text[field], str) and text[field]:
            try:
                dates[field] = _iso_date(text[field])
            except ValueError:
                error(field, "not a date (YYYY-MM-DD)")
                continue
            if dates[field] < EARLIEST_DATE:
                error(field, "before 1900-01-01")
    death, registered = dates.get("date_of_death"), dates.get("registered_on")
    if death and death > today:
        error("date_of_death", "in the future")
    if death and registered and death > registered:
        error("date_of_death", "after registered_on")
    if registered and registered > today:
        error("registered_on", "in the future")
    commune = text["commune_code"]
    if isinstance(commune, str) and commune and not _commune_exists(commune):
        error("commune_code", "unknown commune")
    declarant = payload.get("declarant")
    if not _missing(declarant):
        if not isinstance(declarant, dict):
            error("declarant", "must be an object")
        else:
            _check_declarant(declarant, error)
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


def parse_cancellation(payload) -> tuple[str | None, list[dict]]:
    """The reason of a cancellation (``DELETE``), required, or the errors."""
    reason = payload.get("reason") if isinstance(payload, dict) else None
    if not isinstance(reason, str) or not reason.strip():
        return None, [{"field": "reason", "message": "required"}]
    reason = reason.strip()
    if problem := text_problem(reason, REASON_MAX):
        return None, [{"field": "reason", "message": problem}]
    return reason, []


def registration_number_could_exist(number: str) -> bool:
    """Whether ``number`` (from an address) could name a stored registration: one with a
    control character or longer than the column can be none, and is not looked up."""
    return len(number) <= 60 and not ANY_CONTROL_CHARACTER.search(number)


def _missing(value) -> bool:
    return value is None or (isinstance(value, str | dict | list) and not value)


def _iso_date(text: str) -> date:
    # YYYY-MM-DD only: date.fromisoformat also reads 20250314 and 2025-W11-5.
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError(text)
    return date.fromisoformat(text)


def _check_declarant(declarant: dict, error) -> None:
    name = declarant.get("full_name")
    if not isinstance(name, str) or not name:
        error("declarant.full_name", "required")
    elif problem := text_problem(name, NAME_MAX):
        error("declarant.full_name", problem)
    _check_id(declarant.get("national_id"), "declarant.national_id", error)
    relationship = declarant.get("relationship")
    if relationship is not None and not isinstance(relationship, str):
        error("declarant.relationship", "must be a string")
    elif relationship and (problem := text_problem(relationship, RELATIONSHIP_MAX)):
        error("declarant.relationship", problem)


_COMMUNE = select(Commune.__table__.c.code).where(Commune.__table__.c.code == bindparam("code"))


def _commune_exists(code: str) -> bool:
    if len(code) != 5 or not code.isascii() or not code.isdigit():
        return False
    return db.session.execute(_COMMUNE, {"code": code}).first() is not None


def _check_id(value, field: str, error) -> None:
    if _missing(value):
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
