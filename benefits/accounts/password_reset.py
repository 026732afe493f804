"""A forgotten password: a signed link by email, valid one hour and once.

The link carries the account's id and a fingerprint of its current password hash, signed
with the app's secret (``itsdangerous``, which Flask already uses for its sessions): once
the password changes, by this link or otherwise, every link sent before stops working.
Nothing is stored. The link is made in the job that sends it, from ``PUBLIC_URL``, never
from the request's Host header (a forged Host would send the link to another site).
docs/decisions.md 64.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from benefits.accounts.audit import Actor, record_audit, user_places
from benefits.accounts.models import User
from benefits.accounts.service import find_login, password_fingerprint
from benefits.extensions import db
from benefits.jobs import enqueue
from benefits.notify.mail import send_email

LINK_VALID_SECONDS = 3600
_SALT = "password-reset"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def reset_token(user: User) -> str:
    return _serializer().dumps({"user": user.id, "hash": password_fingerprint(user)})


def user_of_token(token: str) -> User | None:
    """The active account a reset link is for, or None: expired, tampered with, or used
    (the password changed since the link was made)."""
    try:
        data = _serializer().loads(token, max_age=LINK_VALID_SECONDS)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("user")) if isinstance(data.get("user"), int) else None
    if user is None or not user.active or data.get("hash") != password_fingerprint(user):
        return None
    return user


def request_reset(username: str, actor: Actor) -> None:
    """Send a reset link to the account's email, if the account exists and has one. The
    caller answers the same whatever happens here: whether an ID number has an account
    is nobody's business."""
    user = find_login(username)
    if user is None or not user.active or not user.email:
        return
    record_audit(actor, "account.password_reset_requested", "user", user.id,
                 **user_places(user))  # fmt: skip
    enqueue(send_reset_email, user.id, queue="notify")


def send_reset_email(user_id: int) -> None:
    """The job: a fresh link to the account's email, in the account's language."""
    user = db.session.get(User, user_id)
    if user is None or not user.active or not user.email:
        return
    link = current_app.config["PUBLIC_URL"].rstrip("/") + "/password/reset/" + reset_token(user)
    with force_locale(user.locale or "vi"):
        subject = _("Choose a new password for the social-assistance portal")
        body = _(
            "Someone asked to reset the password of your account. To choose a new "
            "password, open this link within one hour:\n\n%(link)s\n\nIf it was not you, "
            "ignore this email: your password stays as it is.",
            link=link,
        )
    send_email(user.email, subject, body)
