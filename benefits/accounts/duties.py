"""Separation of duties (issue 29.6, decisions 180 and 181): whoever handles a dossier or
a record is never paid by it, and the chairman who signs a decision is never the officer
who proposed it.

A staff member is known by the ID number on their account (``users.national_id``, which
a staff account may leave empty: then no comparison can be made, and none is). The
refusals are :class:`~benefits.errors.DomainError`: the request rolls back, nothing is
changed, and the message says who must act instead."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l

from benefits.accounts.audit import Actor
from benefits.accounts.models import User
from benefits.errors import DomainError
from benefits.extensions import db
from benefits.people.national_id import normalize_national_id


class ConflictOfDuties(DomainError):
    """The user would handle what pays them, or sign what they proposed."""


def own_national_id(actor: Actor) -> str | None:
    """The ID number of the user acting, if their account gives one (a system: none)."""
    if actor.user_id is None:
        return None
    number = db.session.get(User, actor.user_id).national_id
    return normalize_national_id(number) or None


def refuse_own_carer(actor: Actor, carer_national_id: str | None) -> None:
    """ND20 Art 20: the officer recording care support is not its carer (the payee of
    the record)."""
    own = own_national_id(actor)
    if own and normalize_national_id(carer_national_id) == own:
        raise ConflictOfDuties(
            _l("You cannot record yourself as the carer: another officer of the commune "
               "must record this care support."),
            field="carer_national_id",
        )  # fmt: skip


def refuse_own_payee(actor: Actor, paid: Iterable[str | None], field: str | None = None) -> None:
    """The officer proposing, or the chairman signing, a dossier is not among those it
    names to be paid or to collect (``paid``: the person concerned, the declarant who
    collects a one-off amount, the guardian who collects an allowance)."""
    own = own_national_id(actor)
    if own and own in {normalize_national_id(number) for number in paid if number}:
        raise ConflictOfDuties(
            _l("Your own ID number is on this dossier as the person paid or the one who "
               "collects: another officer or the deputy chairman must handle it."),
            field=field,
        )  # fmt: skip


def refuse_signing_own_proposal(actor: Actor, proposed_by_user_id: int | None) -> None:
    """ND20 Art 8.1: the officer proposes, the chairman decides; never one person for
    both (an officer who became chairman does not sign what they proposed)."""
    if actor.user_id is not None and actor.user_id == proposed_by_user_id:
        raise ConflictOfDuties(
            _l("You proposed this result yourself: the decision is signed by another "
               "member of the commune's leadership.")
        )  # fmt: skip
