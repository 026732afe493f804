"""What the death engine reads and writes, each in one round trip.

The civil registry sends deaths in bursts (performance.md: 200 a second), so the
statements of a death are built once, here, and run on the tables: on this path,
building a statement or tracking ORM objects costs more CPU than the database work.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, bindparam, insert, inspect, select, update
from sqlalchemy.orm.attributes import set_committed_value

from benefits.deaths.models import DeathRecord
from benefits.extensions import db
from benefits.month import Month
from benefits.people.models import Person, ResidenceEvent
from benefits.places.models import Commune
from benefits.registry.lifecycle import RECEIVING
from benefits.registry.models import Beneficiary, BeneficiaryCategory

_persons = Person.__table__
_beneficiaries = Beneficiary.__table__
_categories = BeneficiaryCategory.__table__
_communes = Commune.__table__
_deaths = DeathRecord.__table__


@dataclass(frozen=True)
class PersonFacts:
    id: int
    commune_code: str
    address: str | None
    died_on: object
    residence_deregistered_on: object


@dataclass(frozen=True)
class BeneficiaryFacts:
    """The beneficiary still receiving an allowance (a suspended one included), as the
    effects need it (each of ``deaths.service.DEATH_EFFECTS`` receives this)."""

    id: int
    code: str
    person_id: int
    commune_code: str
    status: str
    last_entitled_month: Month | None
    province_code: str
    # (id, to_month) of every category held.
    categories: tuple[tuple[int, Month | None], ...]


@dataclass(frozen=True)
class DeathSubject:
    """The deceased as the portal knows them: the person (``None`` when unknown), the
    beneficiary still receiving an allowance, and whether a death is already recorded
    for the person."""

    person: PersonFacts | None
    beneficiary: BeneficiaryFacts | None
    already_dead: bool


# One row per category held (one row with NULLs when the person is no beneficiary).
_SUBJECT = (
    select(
        _persons.c.id,
        _persons.c.commune_code,
        _persons.c.address,
        _persons.c.died_on,
        _persons.c.residence_deregistered_on,
        _beneficiaries.c.id.label("beneficiary_id"),
        _beneficiaries.c.code,
        _beneficiaries.c.commune_code.label("beneficiary_commune"),
        _beneficiaries.c.status,
        _beneficiaries.c.last_entitled_month,
        _communes.c.province_code,
        _categories.c.id.label("category_id"),
        _categories.c.to_month,
    )  # fmt: skip
    .select_from(_persons)
    .outerjoin(
        _beneficiaries,
        and_(
            _beneficiaries.c.person_id == _persons.c.id,
            _beneficiaries.c.status.in_(RECEIVING),
        ),
    )
    .outerjoin(_communes, _communes.c.code == _beneficiaries.c.commune_code)
    .outerjoin(_categories, _categories.c.beneficiary_id == _beneficiaries.c.id)
    .where(_persons.c.national_id == bindparam("national_id"))
    .order_by(_categories.c.id)
)


def fetch_death_subject(national_id: str) -> DeathSubject:
    """One query: the person by ID number, outer-joined to the receiving beneficiary, its
    categories and its commune.

    A death is already recorded when the person's ``died_on`` is set: the engine sets it in
    the transaction that records an effective death and clears it only when cancelling
    that death; the partial unique index (one effective death per person) stays the
    database's guarantee. No lookup in ``death_records``, whose size grows every day."""
    rows = db.session.execute(_SUBJECT, {"national_id": national_id}).all()
    if not rows:
        return DeathSubject(None, None, False)
    first = rows[0]
    person = PersonFacts(
        first.id, first.commune_code, first.address, first.died_on,
        first.residence_deregistered_on,
    )  # fmt: skip
    beneficiary = None
    if first.beneficiary_id is not None:
        beneficiary = BeneficiaryFacts(
            id=first.beneficiary_id, code=first.code, person_id=first.id,
            commune_code=first.beneficiary_commune, status=first.status,
            last_entitled_month=first.last_entitled_month, province_code=first.province_code,
            categories=tuple((r.category_id, r.to_month) for r in rows if r.category_id),
        )  # fmt: skip
    return DeathSubject(person, beneficiary, first.died_on is not None)


_MARK_DEAD = (
    update(_persons)
    .where(_persons.c.id == bindparam("person"))
    .values(died_on=bindparam("death_date"))
)
_DEREGISTER = (
    update(_persons)
    .where(_persons.c.id == bindparam("person"))
    .values(
        died_on=bindparam("death_date"),
        residence_deregistered_on=bindparam("deregistered_on"),
        residence_deregistration_ref=bindparam("reference"),
    )
)
_RESIDENCE_EVENT = insert(ResidenceEvent.__table__)


def write_death_of_person(person: PersonFacts, record: DeathRecord, deregister: bool) -> None:
    """The person is dead; with ``deregister``, their permanent residence is deregistered
    (xóa đăng ký thường trú, Decree 63/2024) with the registration as its reference."""
    if not deregister:
        db.session.execute(_MARK_DEAD, {"person": person.id, "death_date": record.date_of_death})
        _expire_loaded(Person, [person.id])
        return
    db.session.execute(
        _DEREGISTER,
        {"person": person.id, "death_date": record.date_of_death,
         "deregistered_on": record.registered_on, "reference": record.registration_number},
    )  # fmt: skip
    db.session.execute(
        _RESIDENCE_EVENT,
        {"person_id": person.id, "kind": "deregistered", "commune_code": person.commune_code,
         "address": person.address, "on_date": record.registered_on,
         "reference": record.registration_number},
    )  # fmt: skip
    _expire_loaded(Person, [person.id])


_OUTCOME = (
    update(_deaths)
    .where(_deaths.c.id == bindparam("death"))
    .values(response=bindparam("body"), funeral_case_id=bindparam("funeral_case"))
)


def write_death_outcome(record: DeathRecord, body: dict, funeral_case_id: int | None) -> None:
    """The answer kept for replays and the funeral case opened, on the claimed record."""
    db.session.execute(
        _OUTCOME, {"death": record.id, "body": body, "funeral_case": funeral_case_id}
    )
    set_committed_value(record, "response", body)
    set_committed_value(record, "funeral_case_id", funeral_case_id)


def _expire_loaded(model, ids) -> None:
    """Rows written above with plain statements: an object of the session that holds one
    of them is expired, so that it reads the new values (none is loaded on the API path)."""
    session = db.session()
    mapper = inspect(model)
    for row_id in ids:
        loaded = session.identity_map.get(mapper.identity_key_from_primary_key((row_id,)))
        if loaded is not None:
            session.expire(loaded)
