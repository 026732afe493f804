"""What an audit row changed, in the reader's words (issue 30 item 8, decision 122): the
name of each field the code records, and its values as the pages write them (a role, a
status, a category, a commune, a month, an amount), never the codes stored."""

from __future__ import annotations

from contextlib import suppress

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from benefits.i18n import format_month, format_vnd
from benefits.labels import (
    BATCH_STATUS,
    BENEFICIARY_STATUS,
    JOB_STATE,
    LINE_STATUS,
    PAYMENT_METHOD,
    ROLE,
    category_name,
    label,
    place_name,
    procedure_name,
)
from benefits.month import Month

AUDIT_FIELD = {
    "active": _l("Active"),
    "amount": _l("Amount"),
    "approve": _l("Approve"),
    "attempt": _l("Attempt"),
    "batch": _l("Payment batch"),
    "care_group": _l("Kind of care support"),
    "carer": _l("Carer"),
    "case": _l("Dossier"),
    "category": _l("Category"),
    "commune_code": _l("Commune"),
    "complaint": _l("Complaint"),
    "csv_sha256": _l("Fingerprint of the file"),
    "death": _l("Death registration"),
    "decision": _l("Decision"),
    "email": _l("Email"),
    "error": _l("Error"),
    "from": _l("From"),
    "from_month": _l("From the month"),
    "full_name": _l("Full name"),
    "jobs": _l("Jobs"),
    "left_out_locked": _l("Left out: already locked"),
    "lines": _l("Lines"),
    "month": _l("Month"),
    "months": _l("Months"),
    "national_id": _l("ID number"),
    "note": _l("Note"),
    "origin": _l("How it was received"),
    "papers": _l("Papers"),
    "payment_method": _l("Payment method"),
    "poor_or_near_poor": _l("Poor or near-poor household"),
    "previous_error": _l("Error before"),
    "procedure": _l("Procedure"),
    "province": _l("Province"),
    "reason": _l("Reason"),
    "reference": _l("Reference"),
    "role": _l("Role"),
    "run": _l("Payment generation"),
    "scope": _l("Scope"),
    "sessions_ended": _l("Sessions ended"),
    "social_pension_from": _l("Social pension from"),
    "social_pension_to": _l("Social pension until"),
    "status": _l("Status"),
    "subject": _l("Person"),
    "suspended": _l("Suspended"),
    "to_month": _l("To the month"),
    "total_amount": _l("Total amount"),
}
ORIGIN = {
    "online": _l("online"),
    "desk": _l("at the one-stop desk"),
    "civil_registry": _l("from the civil registry"),
    "officer": _l("by an officer"),
}
DEATH_STATUS = {
    "effective": _l("Recorded"),
    "duplicate": _l("Reported again"),
    "cancelled": _l("Cancelled"),
}


def _status_words(object_type: str) -> dict:
    from benefits.cases.models import STATUS_LABELS

    return {
        "case": STATUS_LABELS,
        "beneficiary": BENEFICIARY_STATUS,
        "payment_batch": BATCH_STATUS,
        "payment_job": JOB_STATE,
        "payment_run": JOB_STATE,
        "payment_line": LINE_STATUS,
        "death": DEATH_STATUS,
    }.get(object_type, {})


def _care_group_name(code: str) -> str:
    from benefits.registry.care_support import care_group_choices

    return dict(care_group_choices(str(get_locale() or "vi"))).get(code, code)


def _month(value) -> str:
    with suppress(ValueError, TypeError):
        text = str(value)
        if text.isdigit() and len(text) == 6:  # stored as YYYYMM (decision 2)
            text = f"{text[:4]}-{text[4:]}"
        return format_month(Month.parse(text))
    return str(value)


def _scope(value) -> str:
    kind, _colon, code = str(value).partition(":")
    return place_name(code) if code else place_name(kind)


def value_words(field: str, value, object_type: str = "") -> str:
    """One value of an audit row's field, as a page writes it."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    words = {
        "role": lambda v: label(ROLE, v),
        "commune_code": place_name,
        "province": place_name,
        "scope": _scope,
        "category": lambda v: category_name(v),
        "care_group": _care_group_name,
        "procedure": procedure_name,
        "payment_method": lambda v: label(PAYMENT_METHOD, v),
        "origin": lambda v: label(ORIGIN, v),
        "status": lambda v: label(_status_words(object_type), v),
        "month": _month,
        "from_month": _month,
        "to_month": _month,
        "social_pension_from": _month,
        "social_pension_to": _month,
        "amount": lambda v: format_vnd(v) if isinstance(v, int) else str(v),
        "total_amount": lambda v: format_vnd(v) if isinstance(v, int) else str(v),
    }.get(field)
    if words is None:
        return str(value)
    return str(words(value))


def audit_change_rows(entry) -> list[tuple[str, str]]:
    """An audit row's changes as (field in words, what happened): ``[before, after]``
    reads ``before → after``; a list, its values joined."""
    changes = entry.changes
    if not isinstance(changes, dict):
        return [("", str(changes))] if changes else []
    rows = []
    for field, value in changes.items():
        name = str(AUDIT_FIELD.get(field, field.replace("_", " ")))
        if isinstance(value, list) and len(value) == 2 and not isinstance(value[0], list | dict):
            before, after = (value_words(field, v, entry.object_type) for v in value)
            text = f"{before} → {after}"
        elif isinstance(value, list):
            text = ", ".join(value_words(field, v, entry.object_type) for v in value) or "–"
        else:
            text = value_words(field, value, entry.object_type)
        rows.append((name, text))
    return rows
