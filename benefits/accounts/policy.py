"""The access policy, in one place: who may reach which blueprint, and which records.

Blueprints get their role requirement where they are registered in the factory; views
scope every query with ``visible_communes``; a record outside it answers 404, never 403,
so that nothing leaks (issue 3).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from benefits.places.models import Commune

# Named permissions, per role. A view asking for an unknown name fails loudly.
PERMISSIONS: dict[str, frozenset[str]] = {
    "case.check": frozenset({"officer"}),
    "case.decide": frozenset({"chairman"}),
    "registry.read": frozenset({"officer", "chairman", "payment", "admin"}),
    "registry.edit": frozenset({"officer"}),
    "payments.manage": frozenset({"payment"}),
    "rules.edit": frozenset({"admin"}),
    "users.manage": frozenset({"admin"}),
    # At the commune's one-stop desk, with the citizen's ID card in hand (decision 65).
    "citizen_password.reset": frozenset({"officer"}),
    "audit.read": frozenset({"admin"}),
}


def require_role(*roles: str) -> Callable[[], object]:
    """A ``before_request`` hook: anonymous → login page; another role → 404."""

    def check():
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        if current_user.role not in roles:
            abort(404)
        return None

    return check


def has_permission(user, name: str) -> bool:
    if name not in PERMISSIONS:
        raise KeyError(f"unknown permission {name!r}")
    return user.is_authenticated and user.role in PERMISSIONS[name]


def permission_required(name: str):
    """A view decorator naming its permission; an unknown name fails at import time."""
    if name not in PERMISSIONS:
        raise KeyError(f"unknown permission {name!r}")

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not has_permission(current_user, name):
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def commune_filter(user, column):
    """A WHERE clause limiting ``column`` (a commune code) to what ``user`` may see."""
    if user.commune_code:
        return column == user.commune_code
    return column.in_(select(Commune.code).where(Commune.province_code == user.province_code))
