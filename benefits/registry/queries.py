"""Named queries over the registry, scoped by the caller's commune filter."""

from __future__ import annotations

from itertools import islice

from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import aliased

from benefits.accounts.models import AuditEntry
from benefits.extensions import db
from benefits.month import Month
from benefits.people.models import Person
from benefits.people.names import name_matches
from benefits.registry.models import Beneficiary

PAGE = 50


def search_beneficiaries(scope, text: str = "", after_id: int | None = None) -> list[Beneficiary]:
    """By name or ID number within the scope (a commune), keyset-paginated on the id."""
    query = select(Beneficiary).join(Person).where(scope)
    # As people type: spaces doubled or around the words, an ID number in groups
    # ("001 050 700 004"), a code in small letters, a name with or without its marks.
    text = " ".join(text.split())
    if text:
        if text.replace(" ", "").isdigit():
            query = query.where(Person.national_id.startswith(text.replace(" ", "")))
        else:
            named = _ids_by_name(scope, text, after_id)
            query = query.where(or_(Beneficiary.id.in_(named), Beneficiary.code == text.upper()))
    if after_id:
        query = query.where(Beneficiary.id > after_id)
    return list(db.session.scalars(query.order_by(Beneficiary.id).limit(PAGE)))


def _ids_by_name(scope, text: str, after_id: int | None) -> list[int]:
    """The ids of the page's beneficiaries whose name holds ``text``, marks ignored when
    none is typed (``people.names.name_matches``). Compared here, not in SQL: neither
    database folds Vietnamese marks without an extension, and SQLite's LIKE folds only
    ASCII case ("LÂM"); a commune's names are a few thousand short strings."""
    names = db.session.execute(
        select(Beneficiary.id, Person.full_name)
        .join(Person)
        .where(scope, Beneficiary.id > (after_id or 0))
        .order_by(Beneficiary.id)
    )
    matching = (id_ for id_, full_name in names if name_matches(text, full_name))
    return list(islice(matching, PAGE))


def first_overlapping_period(model, beneficiary_id: int, from_month: Month, to_month: Month | None):
    """A period of ``model`` (``from_month`` .. ``to_month``, NULL: open) of the beneficiary
    sharing a month with the one given, after locking the beneficiary's row so that two
    officers never record overlapping periods at the same moment."""
    db.session.execute(
        select(Beneficiary.id).where(Beneficiary.id == beneficiary_id).with_for_update()
    )
    return db.session.scalars(
        select(model)
        .where(
            model.beneficiary_id == beneficiary_id,
            or_(model.to_month.is_(None), model.to_month >= from_month),
            model.from_month <= to_month if to_month is not None else true(),
        )
        .limit(1)
    ).first()


def fetch_suspended(scope) -> list[tuple[Beneficiary, object]]:
    """The scope's suspended beneficiaries (TT02 Art 2.3), longest suspended first, each with
    when it was suspended (its latest ``registry.suspend`` audit row): after 3 months
    without a response the officer may propose a stop (TT02 Art 2.1)."""
    suspended_at = (
        select(func.max(AuditEntry.at))
        .where(
            AuditEntry.object_type == "beneficiary",
            AuditEntry.object_id == Beneficiary.code,
            AuditEntry.action == "registry.suspend",
        )
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Beneficiary, suspended_at.label("suspended_at"))
        .join(Person)
        .where(scope, Beneficiary.status == "suspended")
        .order_by(suspended_at, Beneficiary.id)
    )
    return [(row.Beneficiary, row.suspended_at) for row in rows]


def fetch_moves(scope, limit: int = 100) -> list[AuditEntry]:
    """ND20 Art 8.3: the moves into or out of the scope's communes, newest first (each
    move writes one audit row for each of its two communes)."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "registry.moved", scope)
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
    )


def fetch_moving_out(scope) -> list[tuple[Beneficiary, str]]:
    """ND20 Art 8.4: the records the scope's commune stopped for a move to another
    province, whose new commune has not granted yet (the move is not closed), with the
    dossier of the stop."""
    from benefits.cases.models import Case
    from benefits.registry.lifecycle import MOVE_OUT_PROCEDURE
    from benefits.registry.models import Decision

    later = aliased(Decision)
    latest = (
        select(func.max(later.id)).where(later.beneficiary_id == Beneficiary.id)
    ).scalar_subquery()
    rows = db.session.execute(
        select(Beneficiary, Case.code)
        .join(Decision, Decision.beneficiary_id == Beneficiary.id)
        .join(Case, Case.id == Decision.case_id)
        .where(
            scope,
            Beneficiary.status == "stopped",
            Decision.id == latest,
            Case.procedure_code == MOVE_OUT_PROCEDURE,
        )
        .order_by(Beneficiary.id)
    )
    return [(row.Beneficiary, row.code) for row in rows]
