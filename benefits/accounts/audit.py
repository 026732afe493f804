"""Audit twice: a log line with the actor, and a persistent row with the field diff, in
the same transaction as the change (design.md)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import insert, select

from benefits.accounts.models import AuditEntry, User
from benefits.extensions import db
from benefits.month import Month
from benefits.people.models import Person
from benefits.places.models import province_of_commune

log = logging.getLogger("benefits.audit")


@dataclass(frozen=True)
class Actor:
    """Who acts: a user, or a system (the CLI, a job, an API client). Views build it from
    the request; domain functions receive it as an argument."""

    label: str
    user_id: int | None = None
    ip: str | None = None

    @classmethod
    def system(cls, label: str) -> Actor:
        return cls(label=label)

    @classmethod
    def user(cls, user_id: int, ip: str | None = None) -> Actor:
        return cls(f"user:{user_id}", user_id, ip)


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Month):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list]:
    """``{field: [old, new]}`` for the fields whose value changed."""
    return {
        key: [_plain(before.get(key)), _plain(after.get(key))]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def scope_places(scope_kind: str, scope_code: str | None) -> dict[str, str | None]:
    """The commune and province an audit row of a payment scope belongs to."""
    return {
        "commune_code": scope_code if scope_kind == "commune" else None,
        "province_code": scope_code if scope_kind == "province" else None,
    }


def user_places(user) -> dict[str, str | None]:
    """The commune and province an audit row about a user's own account belongs to."""
    return {"commune_code": user.commune_code, "province_code": user.province_code}


# Rows about a citizen's own affairs, which a province admin reads only when the row names
# their province (decisions 74 and 182): an account of no province, a log-in tried, a
# draft (issue 29.5), which may name no commune yet. Any other row of no province is
# national and read by every province admin.
PRIVATE_OBJECTS = ("user", "login")
PRIVATE_ACTIONS = ("case.draft_saved", "case.draft_deleted")


def seen_by_province_admin(province_code: str | None):
    """The audit rows a province admin of ``province_code`` reads (a SQL condition)."""
    return (AuditEntry.province_code == province_code) | (
        AuditEntry.province_code.is_(None)
        & AuditEntry.object_type.not_in(PRIVATE_OBJECTS)
        & AuditEntry.action.not_in(PRIVATE_ACTIONS)
    )


def draft_places(draft, applicant_user_id: int | None) -> dict[str, str | None]:
    """The commune and province an audit row of a citizen's draft belongs to: the commune
    it is addressed to once chosen, else the province of the citizen's own commune (their
    account's, or the one the portal knows them in), else none (then no province admin
    reads it: ``PRIVATE_ACTIONS``)."""
    if draft.commune_code:
        return {"commune_code": draft.commune_code, "province_code": None}

    user = db.session.get(User, applicant_user_id) if applicant_user_id else None
    commune = user.commune_code if user is not None else None
    if commune is None and user is not None and user.national_id:
        commune = db.session.scalar(
            select(Person.commune_code).where(Person.national_id == user.national_id)
        )
    return {"commune_code": None,
            "province_code": province_of_commune(commune) if commune else None}  # fmt: skip


def _row(actor: Actor, action: str, object_type: str, object_id: Any, changes: dict | None,
         commune_code: str | None, province_code: str | None = None) -> dict:  # fmt: skip
    """One audit row as stored, and its log line (the first record of the two)."""
    log.info("%s %s %s:%s by %s", action, commune_code or "-", object_type, object_id, actor.label)
    if commune_code and not province_code:
        province_code = province_of_commune(commune_code)
    return {
        "actor_id": actor.user_id,
        "actor_label": actor.label,
        "ip": actor.ip,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "commune_code": commune_code,
        "province_code": province_code,
        "changes": {
            k: _plain(v) if not isinstance(v, list) else [_plain(x) for x in v]
            for k, v in (changes or {}).items()
        },
    }


def record_audit(
    actor: Actor,
    action: str,
    object_type: str,
    object_id: Any,
    changes: dict | None = None,
    commune_code: str | None = None,
    province_code: str | None = None,
) -> AuditEntry:
    """An audit row added to the session: written with the next flush. Its province is the
    commune's, or ``province_code`` for what belongs to a province as a whole."""
    entry = AuditEntry(
        **_row(actor, action, object_type, object_id, changes, commune_code, province_code)
    )
    db.session.add(entry)
    return entry


_INSERT_AUDIT = insert(AuditEntry.__table__)


def write_audits(actor: Actor, entries: list[tuple]) -> None:
    """Several audit rows written at once, in one statement, now (for the paths that run
    many times a second; ``entries`` are ``(action, object_type, object_id, changes,
    commune_code)``)."""
    rows = [_row(actor, *entry) for entry in entries]
    if rows:
        db.session.execute(_INSERT_AUDIT, rows)
