"""Bearer tokens of system clients: created once, stored as SHA-256, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from functools import wraps

from flask import g, jsonify, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select

from benefits.accounts.audit import Actor, record_audit
from benefits.api.models import ApiClient
from benefits.errors import DomainError, NotFound
from benefits.extensions import db


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_client(name: str, actor: Actor) -> str:
    """A new client; returns its token, which is never stored nor shown again."""
    if db.session.scalar(select(ApiClient.id).where(ApiClient.name == name)):
        raise DomainError(_l("A client named %(name)s already exists.", name=name))
    token = secrets.token_urlsafe(32)
    db.session.add(ApiClient(name=name, token_hash=_hash(token)))
    record_audit(actor, "api_client.create", "api_client", name)
    db.session.flush()
    return token


def revoke_client(name: str, actor: Actor) -> None:
    client = db.session.scalar(select(ApiClient).where(ApiClient.name == name))
    if client is None or client.revoked_at is not None:
        raise NotFound(_l("No active client named %(name)s.", name=name))
    client.revoked_at = datetime.now(UTC)
    record_audit(actor, "api_client.revoke", "api_client", name)
    db.session.flush()


# One indexed lookup (token_hash is unique) per request, no cache: a revoked token is
# refused at once. Built once, as it runs on every API request.
_clients = ApiClient.__table__
_ACTIVE_CLIENT = select(_clients.c.id, _clients.c.name).where(
    _clients.c.token_hash == bindparam("token_hash"), _clients.c.revoked_at.is_(None)
)


def client_for_token(token: str):
    """The active client holding this token (its ``id`` and ``name``), or ``None``."""
    return db.session.execute(_ACTIVE_CLIENT, {"token_hash": _hash(token)}).first()


def require_client(view):
    """401 unless the request carries ``Authorization: Bearer TOKEN`` of an active client."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        client = client_for_token(token.strip()) if scheme.lower() == "bearer" else None
        if client is None:
            return jsonify({"error": "unauthorized"}), 401, {"WWW-Authenticate": "Bearer"}
        g.api_client = client
        return view(*args, **kwargs)

    return wrapped
