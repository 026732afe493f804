"""Flask-Login wiring: how a session's user id becomes a ``User``."""

from __future__ import annotations

from benefits.accounts.models import User
from benefits.extensions import db, login_manager


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        return db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
