"""Accounts: citizens register themselves, staff are created by an admin or the CLI."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from benefits.accounts.audit import Actor, record_audit, user_places
from benefits.accounts.models import STAFF_ROLES, User
from benefits.errors import DomainError
from benefits.extensions import db
from benefits.notify.mail import masked_address
from benefits.people.national_id import (
    check_national_id,
    mask_national_id,
    normalize_national_id,
)
from benefits.places.models import Commune, Province

MIN_PASSWORD_LENGTH = 10


class AccountError(DomainError):
    """A registration, login or account change the rules refuse."""


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(line.strip() for line in path.read_text().splitlines() if line.strip())


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return str(_l("Use at least %(n)s characters.", n=MIN_PASSWORD_LENGTH))
    if password.lower() in _common_passwords():
        return str(_l("This password is too common. Choose another one."))
    return None


def password_fingerprint(user: User) -> str:
    """A short digest of the account's current password hash: what a session and a reset
    link remember, so that a new password ends both (decisions 64, 68)."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def _hash(password: str) -> str:
    problem = password_problem(password)
    if problem:
        raise AccountError(problem, field="password")
    return generate_password_hash(password, method="scrypt")


def national_id_in_use(national_id: str) -> bool:
    return db.session.scalar(select(User.id).where(User.national_id == national_id)) is not None


def email_in_use(email: str) -> bool:
    return db.session.scalar(select(User.id).where(User.email == email.lower())) is not None


@dataclass(frozen=True)
class CitizenRegistration:
    full_name: str
    date_of_birth: date
    sex: str
    national_id: str
    phone: str
    email: str | None
    password: str


def register_citizen(form: CitizenRegistration, actor: Actor, locale: str = "vi") -> User:
    check_national_id(form.national_id, form.date_of_birth, form.sex)
    if national_id_in_use(form.national_id):
        raise AccountError(
            _l("An account already exists for this ID number: log in with it instead."),
            field="national_id",
        )
    if form.email and email_in_use(form.email):
        raise AccountError(_l("This email address is already used."), field="email")
    user = User(
        role="citizen",
        full_name=form.full_name.strip(),
        national_id=form.national_id,
        email=form.email.lower() if form.email else None,
        phone=form.phone,
        date_of_birth=form.date_of_birth,
        sex=form.sex,
        password_hash=_hash(form.password),
        locale=locale,
    )
    db.session.add(user)
    db.session.flush()
    record_audit(actor, "account.register", "user", user.id, **user_places(user))
    return user


def check_placement(role: str, commune_code: str | None, province_code: str | None) -> str | None:
    """Refuse a role the portal does not know, or a staff account placed where its role
    cannot work (domain.md section 1); the province the account then belongs to."""
    if role not in STAFF_ROLES:
        raise AccountError(_l("Unknown role %(role)s.", role=role), field="role")
    commune = db.session.get(Commune, commune_code) if commune_code else None
    if commune_code and commune is None:
        raise AccountError(_l("Unknown commune %(code)s.", code=commune_code), field="commune")
    province = db.session.get(Province, province_code) if province_code else None
    if province_code and province is None:
        raise AccountError(_l("Unknown province %(code)s.", code=province_code),
                           field="province")  # fmt: skip
    if commune is not None and province is not None and commune.province_code != province.code:
        # domain.md section 1: a province admin acts for their own province only; an
        # account in another province's commune would see that province's records.
        raise AccountError(
            _l("%(commune)s (%(code)s) is not in %(province)s.", commune=commune.name,
               code=commune.code, province=province.name),
            field="commune",
        )  # fmt: skip
    if role == "admin" and not province_code:
        raise AccountError(_l("A province admin needs a province."), field="province")
    if role in ("officer", "chairman") and not commune_code:
        raise AccountError(_l("A commune officer or chairman needs a commune."),
                           field="commune")  # fmt: skip
    if role == "payment" and not (commune_code or province_code):
        raise AccountError(_l("A payment officer needs a commune or a province."),
                           field="commune")  # fmt: skip
    if commune is not None and not province_code:
        province_code = commune.province_code
    return province_code


def create_staff_user(
    role: str,
    email: str,
    full_name: str,
    password: str,
    actor: Actor,
    commune_code: str | None = None,
    province_code: str | None = None,
) -> User:
    province_code = check_placement(role, commune_code, province_code)
    if email_in_use(email):
        raise AccountError(_l("This email address is already used."), field="email")
    user = User(
        role=role, full_name=full_name.strip(), email=email.lower(), commune_code=commune_code,
        province_code=province_code, password_hash=_hash(password),
    )  # fmt: skip
    db.session.add(user)
    db.session.flush()
    record_audit(
        actor, "account.create", "user", user.id,
        {"role": [None, role], "commune_code": [None, commune_code]},
        **user_places(user),
    )  # fmt: skip
    return user


def login_name(username: str) -> str:
    """What a login names, as it is looked up: an ID number without its spaces, dots or
    dashes, or an email in lower case. Every way of typing one account gives one name, so
    the limit on failed log-ins counts them together (decision 70)."""
    username = username.strip()
    if normalize_national_id(username).isdigit():
        return normalize_national_id(username)
    return username.lower()


def masked_login(username: str) -> str:
    """An unknown login as the audit row and its log line name it: ``079******123`` for
    an ID number, ``a***@example.vn`` for an e-mail, the first character of anything else
    (issue 29.5, decision 183)."""
    name = login_name(username)
    if name.isdigit():
        return mask_national_id(name)
    if "@" in name:
        return masked_address(name)
    return f"{name[:1]}***"


def find_login(username: str) -> User | None:
    """Citizens log in with their ID number, staff with their email."""
    name = login_name(username)
    column = User.national_id if name.isdigit() else User.email
    return db.session.scalar(select(User).where(column == name))


@lru_cache(maxsize=1)
def _hash_of_no_account() -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method="scrypt")


def authenticate(username: str, password: str, actor: Actor) -> User | None:
    user = find_login(username)
    # An unknown account costs the same password check as a known one: the time of the
    # answer does not tell which accounts exist (decision 73).
    stored = user.password_hash if user is not None else _hash_of_no_account()
    if not check_password_hash(stored, password) or user is None or not user.active:
        # The audit log names the account tried, never a full ID number (domain.md
        # section 1, privacy): an account by its id, an unknown ID number or e-mail
        # masked (issue 29.5: the audit log line repeats what the row names).
        if user is not None:
            record_audit(actor, "account.login_failed", "user", user.id, **user_places(user))
        else:
            record_audit(actor, "account.login_failed", "login", masked_login(username)[:64])
        return None
    user.last_login_at = datetime.now(UTC)
    # Recorded as the user who logged in, as what they do next is (not "anonymous").
    record_audit(Actor.user(user.id, actor.ip), "account.login", "user", user.id,
                 **user_places(user))  # fmt: skip
    return user


def change_password(user: User, current: str, new: str, actor: Actor) -> None:
    if not check_password_hash(user.password_hash, current):
        raise AccountError(_l("The current password is not right."), field="current")
    _set_password(user, new, actor, "account.password_changed")


def reset_password(user: User, new: str, actor: Actor) -> None:
    """A new password chosen through a reset link (``accounts.password_reset``)."""
    _set_password(user, new, actor, "account.password_reset")


def _set_password(
    user: User,
    new: str,
    actor: Actor,
    action: str,
    *,
    must_change: bool = False,
    commune_code: str | None = None,
) -> None:
    user.password_hash = _hash(new)
    user.password_must_change = must_change
    # At the desk: the officer's commune; otherwise the account's own.
    places = {"commune_code": commune_code} if commune_code else user_places(user)
    record_audit(actor, action, "user", user.id, **places)


# Letters and digits no one misreads on a printed slip (no 0/O, 1/I/L).
_TEMPORARY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def issue_temporary_password(
    national_id: str, date_of_birth: date, actor: Actor, commune_code: str | None
) -> tuple[User, str]:
    """A commune officer, the citizen's ID card in hand, gives a citizen without email
    a temporary password (decision 65): the account of this ID number, if the date of
    birth on the card matches, asks for a new one at the next log-in, before anything
    else. The password is returned once, never stored in clear."""
    citizen = db.session.scalar(
        select(User).where(
            User.role == "citizen",
            User.national_id == normalize_national_id(national_id.strip()),
            User.date_of_birth == date_of_birth,
        )
    )
    if citizen is None:
        raise AccountError(_l("No citizen account has this ID number and date of birth."),
                           field="national_id")  # fmt: skip
    groups = ("".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(4)) for _ in range(3))
    temporary = "-".join(groups)
    _set_password(citizen, temporary, actor, "account.temporary_password", must_change=True,
                  commune_code=commune_code)  # fmt: skip
    return citizen, temporary
