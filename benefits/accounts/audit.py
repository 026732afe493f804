"""Audit twice: a log line with the actor, and a persistent row with the field diff, in
the same transaction as the change (design.md)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from benefits.accounts.models import AuditEntry
from benefits.extensions import db
from benefits.month import Month

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


def record_audit(
    actor: Actor,
    action: str,
    object_type: str,
    object_id: Any,
    changes: dict | None = None,
    commune_code: str | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor.user_id,
        actor_label=actor.label,
        ip=actor.ip,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        commune_code=commune_code,
        changes={
            k: _plain(v) if not isinstance(v, list) else [_plain(x) for x in v]
            for k, v in (changes or {}).items()
        },
    )
    db.session.add(entry)
    log.info("%s %s %s:%s by %s", action, commune_code or "-", object_type, object_id, actor.label)
    return entry
