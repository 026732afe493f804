"""What the death engine reads before it writes, each in one round trip."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import joinedload

from benefits.deaths.models import DeathRecord
from benefits.extensions import db
from benefits.people.models import Person
from benefits.places.models import Commune
from benefits.registry.models import Beneficiary

# Statuses whose allowance a death stops (a suspended person is still a beneficiary).
RECEIVING = ("active", "suspended")


@dataclass(frozen=True)
class DeathSubject:
    """The deceased as the portal knows them: the person (``None`` when unknown), the
    beneficiary still receiving an allowance with the categories held, the province of
    the beneficiary's commune (for the funeral amount), and whether a death is already
    recorded for the person."""

    person: Person | None
    beneficiary: Beneficiary | None
    province_code: str | None
    already_dead: bool


def _subject_statement():
    effective_death = (
        select(DeathRecord.id)
        .where(DeathRecord.person_id == Person.id, DeathRecord.status == "effective")
        .exists()
    )
    return (
        select(Person, Beneficiary, Commune.province_code, effective_death)
        .outerjoin(
            Beneficiary,
            and_(Beneficiary.person_id == Person.id, Beneficiary.status.in_(RECEIVING)),
        )
        .outerjoin(Commune, Commune.code == Beneficiary.commune_code)
        .options(joinedload(Beneficiary.categories))
        .where(Person.national_id == bindparam("national_id"))
    )


# Built once: on the hot path of the civil-registry API, building a statement costs more
# CPU than running it.
_SUBJECT = _subject_statement()


def fetch_death_subject(national_id: str) -> DeathSubject:
    """One query: the person by ID number, outer-joined to the receiving beneficiary, its
    categories and its commune, with an EXISTS for an effective death of the person."""
    row = db.session.execute(_SUBJECT, {"national_id": national_id}).unique().first()
    if row is None:
        return DeathSubject(None, None, None, False)
    person, beneficiary, province_code, recorded = row
    return DeathSubject(
        person=person,
        beneficiary=beneficiary,
        province_code=province_code,
        already_dead=person.died_on is not None or bool(recorded),
    )
