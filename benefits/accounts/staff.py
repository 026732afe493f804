"""A province admin looks after the staff accounts of their province (domain.md section 1:
"users ... for the whole province"): edits one, changes its role or commune, deactivates
it (its sessions end at once) or activates it again, and sends it a password-reset link.
Every change is audited with the fields it changed (docs/decisions.md 120)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from benefits.accounts.audit import Actor, diff, record_audit, user_places
from benefits.accounts.models import STAFF_ROLES, User
from benefits.accounts.password_reset import send_reset_email
from benefits.accounts.service import AccountError, check_placement
from benefits.accounts.sessions import end_every_login_session
from benefits.errors import NotFound
from benefits.extensions import db
from benefits.jobs import enqueue


def staff_of_province(province_code: str | None) -> list[User]:
    """The staff accounts a province admin looks after: those of their province."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role.in_(STAFF_ROLES), User.province_code == province_code)
            .order_by(User.active.desc(), User.role, User.full_name, User.id)
        )
    )


def staff_account(user_id: int, province_code: str | None) -> User:
    """A staff account of ``province_code``; any other (a citizen's, another province's)
    does not exist for this admin (404, policy.py)."""
    user = db.session.get(User, user_id)
    if user is None or user.role not in STAFF_ROLES or user.province_code != province_code:
        raise NotFound(_l("There is no such staff account."))
    return user


@dataclass(frozen=True)
class StaffChange:
    full_name: str
    email: str
    role: str
    commune_code: str | None


def update_staff_user(user: User, change: StaffChange, admin: User, actor: Actor) -> dict:
    """Change a staff account's name, email, role or commune, inside the admin's province;
    the fields changed (``{field: [old, new]}``), audited. The new role applies from the
    account's next request: each request reads the account again."""
    if user.id == admin.id and change.role != user.role:
        # The last admin of a province would otherwise lock every admin out of it.
        raise AccountError(_l("You cannot change your own role."), field="role")
    province_code = check_placement(change.role, change.commune_code, admin.province_code)
    email = change.email.strip().lower()
    taken = db.session.scalar(select(User.id).where(User.email == email, User.id != user.id))
    if taken is not None:
        raise AccountError(_l("This email address is already used."), field="email")
    fields = ("full_name", "email", "role", "commune_code")
    before = {name: getattr(user, name) for name in fields}
    after = {"full_name": change.full_name.strip(), "email": email, "role": change.role,
             "commune_code": change.commune_code}  # fmt: skip
    changes = diff(before, after)
    if not changes:
        return {}
    for name, value in after.items():
        setattr(user, name, value)
    user.province_code = province_code
    record_audit(actor, "account.update", "user", user.id, changes, **user_places(user))
    return changes


def deactivate_staff_user(user: User, admin: User, actor: Actor) -> bool:
    """The account can no longer log in, and every session it has open ends now (decision
    72: a session is a row the cookie names); its records and audit rows stay. False when
    it was already inactive (a second click changes nothing)."""
    if user.id == admin.id:
        raise AccountError(_l("You cannot deactivate your own account."))
    if not user.active:
        return False
    user.active = False
    ended = end_every_login_session(user.id)
    changes = {"active": [True, False], "sessions_ended": ended}
    record_audit(actor, "account.deactivated", "user", user.id, changes, **user_places(user))
    return True


def reactivate_staff_user(user: User, actor: Actor) -> bool:
    """The account may log in again, with its password as it was."""
    if user.active:
        return False
    user.active = True
    record_audit(actor, "account.reactivated", "user", user.id, {"active": [False, True]},
                 **user_places(user))  # fmt: skip
    return True


def send_staff_password_reset(user: User, actor: Actor) -> None:
    """A reset link to the account's email, through the notify queue (decision 64: valid
    one hour and once); the admin never sees or chooses the password."""
    if not user.active:
        raise AccountError(_l("This account is deactivated: activate it before sending a "
                              "password reset."))  # fmt: skip
    record_audit(actor, "account.password_reset_sent", "user", user.id, **user_places(user))
    enqueue(send_reset_email, user.id, queue="notify")
