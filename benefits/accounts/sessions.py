"""Log-in sessions kept on the server (decision 72).

Flask's session is a signed cookie: on its own, a copy of it stays valid after its owner
logs out. Each log-in therefore opens a row here that the cookie names; a request whose
row has ended (logged out) or gone idle is logged out.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, or_, select, update

from benefits.accounts.models import LoginSession, User
from benefits.extensions import db
from benefits.models_base import aware_utc, utcnow

# How often a live session's last request is written down: not on every request.
TOUCH_EVERY = timedelta(minutes=5)


def open_login_session(user: User, idle: timedelta) -> str:
    """A new session for ``user``; the user's ended and idle ones are cleared away."""
    now = utcnow()
    db.session.execute(
        delete(LoginSession).where(
            LoginSession.user_id == user.id,
            or_(LoginSession.ended_at.is_not(None), LoginSession.last_seen_at < now - idle),
        )
    )
    session_id = secrets.token_urlsafe(32)
    db.session.add(LoginSession(id=session_id, user_id=user.id, started_at=now, last_seen_at=now))
    return session_id


def login_session_is_live(session_id: str | None, user: User, idle: timedelta) -> bool:
    """Whether the session named by a cookie is still open for ``user``; a live one is
    marked seen now (at most every few minutes), for the caller to commit."""
    if not session_id:
        return False
    row = db.session.scalar(
        select(LoginSession).where(LoginSession.id == session_id, LoginSession.user_id == user.id)
    )
    now = utcnow()
    if not user.active:
        return False  # deactivated by an admin: every session of it ended (decision 120)
    if row is None or row.ended_at is not None or aware_utc(row.last_seen_at) < now - idle:
        return False
    if aware_utc(row.last_seen_at) < now - TOUCH_EVERY:
        row.last_seen_at = now
    return True


def end_login_session(session_id: str | None) -> None:
    if session_id:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.id == session_id, LoginSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )


def end_every_login_session(user_id: int) -> int:
    """End every open session of an account (deactivated): the number ended."""
    result = db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    return result.rowcount or 0
