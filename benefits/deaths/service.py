"""The effects engine of a death registration (domain.md section 5; Decree 63/2024).

``record_death`` is the one function used by the civil-registry API, the citizen's
linked dossier and an officer recording a death by hand. In one transaction, exactly once
per death: residence deregistration; the allowance stopped from the month after the month
of death; a funeral support case for the declarant; then every effect other modules
``DEATH_EFFECTS`` lists (payment batches holding later months, for instance). The
allowance stops through the registry's own stop (``registry.lifecycle.write_stop``), the
one a stop decision uses.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from benefits.accounts.audit import Actor, record_audit, write_audits
from benefits.cases.models import Case, death_cancelled_note
from benefits.cases.service import move_case, open_case
from benefits.deaths.models import DeathRecord
from benefits.deaths.queries import (
    BeneficiaryFacts,
    DeathSubject,
    PersonFacts,
    fetch_death_subject,
    write_death_of_person,
    write_death_outcome,
)
from benefits.errors import AlreadyRecorded, DomainError, NotFound
from benefits.extensions import db
from benefits.month import Month
from benefits.notify.service import notify_commune_officers
from benefits.payments.late_deaths import apply_carer_death_to_batches, apply_death_to_batches
from benefits.people.models import Person, ResidenceEvent
from benefits.people.national_id import mask_national_id
from benefits.registry.lifecycle import write_stop
from benefits.registry.models import Beneficiary
from benefits.rules.standard import funeral_amount_or_none

FUNERAL_PROCEDURE = "1.001731"  # ND20 Art 11

# The effects of a death beyond the registry's own, in the death's transaction, in this
# order (issue 24 item 4: one explicit list, read here, filled by no import).
# f(record, beneficiary, last_entitled_month, actor), ``beneficiary`` a ``BeneficiaryFacts``:
DEATH_EFFECTS: tuple[Callable, ...] = (
    # domain.md section 5 item 4: batches already holding months after the death.
    apply_death_to_batches,
)
# Of the death of any person the portal knows, beneficiary or not:
# f(record, person_id, month_of_death, actor).
PERSON_DEATH_EFFECTS: tuple[Callable, ...] = (
    # domain.md section 5 item 2: care support paid to the deceased as carer.
    apply_carer_death_to_batches,
)


@dataclass(frozen=True)
class DeathReport:
    registration_number: str
    national_id: str
    full_name: str
    date_of_death: date
    registered_on: date
    commune_code: str
    declarant: dict

    def fingerprint(self) -> str:
        canonical = json.dumps(asdict(self), sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


class ConflictingReplay(DomainError):
    """The registration number was already received with different content."""


def record_death(
    report: DeathReport,
    actor: Actor,
    source: str,
    today: date,
    *,
    deregister: bool = True,
    funeral: bool = True,
    residents_only: bool = False,
) -> tuple[DeathRecord, bool]:
    """Apply a death registration once. Returns the record and whether it is new; an
    identical replay returns the first record, a different one raises ConflictingReplay.

    A citizen's linked dossier may ask for 2 of the 3 procedures (Decree 63/2024):
    ``deregister`` and ``funeral`` leave one of them out.

    Reads first (the deceased, their allowance and categories in one query), then claims
    the registration number, then writes the effects with statements built once
    (``deaths.queries``): a death costs a fixed, small number of statements (18 with an
    officer to notify, benchmarks/README.md)."""
    subject = fetch_death_subject(report.national_id)
    person, beneficiary = subject.person, subject.beneficiary
    communes = {fact.commune_code for fact in (person, beneficiary) if fact is not None}
    if residents_only and communes != {report.commune_code}:
        # domain.md section 1: a commune officer acts on their own commune only. A death
        # is registered where the person lived (Decree 63/2024); another commune's
        # resident is recorded there, or comes from the civil registry. An ID number the
        # portal does not know gets the same answer: the refusal never tells that the
        # number is another commune's resident's (issue 29.5, decision 182).
        raise DomainError(
            _l("No resident of this commune known to the portal has this ID number: the "
               "commune where the person lived, or the civil registry, records the death. "
               "Nothing was recorded."),
            field="national_id",
        )  # fmt: skip
    if subject.already_dead:
        # The same death reported under a second number: listed for the officer, no effects.
        person, beneficiary = None, None
    last_month = Month.of(report.date_of_death)
    # ND20 Art 8.2: categories still running after the month of death end with it.
    closed = [
        (held, to_month)
        for held, to_month in (beneficiary.categories if beneficiary is not None else ())
        if to_month is None or to_month > last_month
    ]
    amount = None
    if beneficiary is not None and funeral:
        # ND20 Art 11: 20 × the standard level in force on the date of death.
        # A date no rule covers (before 2014-01) is never an error: the death is recorded
        # and the case opens without an amount, flagged for the officer (domain.md s. 4).
        amount = funeral_amount_or_none(beneficiary.province_code, report.date_of_death)
    record = _claim(
        report, source, subject,
        status="duplicate" if subject.already_dead else "effective",
        undo=_undo(person if deregister else None, beneficiary, closed),
    )  # fmt: skip
    if record is None:
        record = _claim_again(
            report, source, subject,
            status="duplicate" if subject.already_dead else "effective",
            undo=_undo(person if deregister else None, beneficiary, closed),
        )  # fmt: skip
    if record is None:
        existing = db.session.scalar(
            select(DeathRecord).where(DeathRecord.registration_number == report.registration_number)
        )
        if existing is None or existing.request_fingerprint != report.fingerprint():
            raise ConflictingReplay(
                _l("Registration %(number)s was already received with other content.",
                   number=report.registration_number)
            )  # fmt: skip
        return existing, False

    if subject.already_dead:
        write_death_outcome(
            record, _response_body(record, "already_recorded", None, None, None), None
        )
        write_audits(actor, [
            ("death.duplicate", "death", record.registration_number,
             {"national_id": mask_national_id(report.national_id)}, report.commune_code),
        ])  # fmt: skip
        return record, True

    audits = []  # written together at the end, in one statement
    if person is not None:
        write_death_of_person(person, record, deregister)
        for effect in PERSON_DEATH_EFFECTS:
            effect(record, person.id, last_month, actor)
    funeral_case = None
    if beneficiary is not None:
        audits.append(_stop_allowance(beneficiary, [held for held, _ in closed], last_month))
        if funeral:
            funeral_case = _open_funeral_case(record, beneficiary, amount, actor, today)
        for effect in DEATH_EFFECTS:
            effect(record, beneficiary, last_month, actor)
    residence = "recorded" if deregister else "not_requested"
    write_death_outcome(
        record,
        _response_body(record, residence, beneficiary, last_month, funeral_case),
        funeral_case.id if funeral_case else None,
    )
    audits.append(
        ("death.recorded", "death", record.registration_number,
         # The audit log holds no full ID number: the death record has it.
         {"national_id": mask_national_id(report.national_id),
          "date_of_death": report.date_of_death,
          "beneficiary": beneficiary.code if beneficiary else None,
          "funeral_case": funeral_case.code if funeral_case else None},
         report.commune_code)
    )  # fmt: skip
    write_audits(actor, audits)
    return record, True


def apply_deaths_reported_before(
    actor: Actor, today: date, person_ids: list[int] | None = None
) -> list[DeathRecord]:
    """Deaths the civil registry (or a citizen) reported for an ID number the portal did
    not know then (issue 25 item 6): now that the person is known (imported, or granted
    an allowance), the death is theirs and its effects apply, so that no month after it
    is ever paid. ``person_ids``: only these people (a grant); ``None``: everyone (an
    import). Returns the records applied. Set-based to find them (a few rows: the
    deaths reported before the person was known), then the engine's own steps for each."""
    query = (
        select(DeathRecord)
        .join(Person, Person.national_id == DeathRecord.national_id)
        .where(DeathRecord.status == "effective", DeathRecord.person_id.is_(None))
        .order_by(DeathRecord.id)
    )
    if person_ids is not None:
        query = query.where(Person.id.in_(person_ids))
    applied = []
    for record in db.session.scalars(query).all():
        subject = fetch_death_subject(record.national_id)
        person, beneficiary = subject.person, subject.beneficiary
        record.person_id = person.id
        if subject.already_dead:
            # Recorded meanwhile under another number: this one is the possible duplicate.
            record.status = "duplicate"
            continue
        last_month = Month.of(record.date_of_death)
        closed = [
            (held, to_month)
            for held, to_month in (beneficiary.categories if beneficiary is not None else ())
            if to_month is None or to_month > last_month
        ]
        deregister = (record.response or {}).get("residence_deregistration", {}).get(
            "status"
        ) == "recorded"
        record.undo = _undo(person if deregister else None, beneficiary, closed)
        db.session.flush()
        write_death_of_person(person, record, deregister)
        for effect in PERSON_DEATH_EFFECTS:
            effect(record, person.id, last_month, actor)
        audits = []
        if beneficiary is not None:
            audits.append(_stop_allowance(beneficiary, [held for held, _ in closed], last_month))
            for effect in DEATH_EFFECTS:
                effect(record, beneficiary, last_month, actor)
        audits.append(
            ("death.applied", "death", record.registration_number,
             {"national_id": mask_national_id(record.national_id),
              "date_of_death": record.date_of_death,
              "beneficiary": beneficiary.code if beneficiary else None},
             record.commune_code)
        )  # fmt: skip
        write_audits(actor, audits)
        applied.append(record)
    return applied


def _claim_statement(insert):
    return (
        insert(DeathRecord)
        .on_conflict_do_nothing(index_elements=["registration_number"])
        .returning(DeathRecord)
    )


# Built once per dialect (same ON CONFLICT clause on both): every death runs it.
_CLAIM = {
    "postgresql": _claim_statement(postgresql_insert),
    "sqlite": _claim_statement(sqlite_insert),
}


def _claim_values(
    report: DeathReport, source: str, subject: DeathSubject, status: str, undo: dict
) -> dict:
    return {
        "registration_number": report.registration_number,
        "national_id": report.national_id,
        "full_name": report.full_name,
        "date_of_death": report.date_of_death,
        "registered_on": report.registered_on,
        "commune_code": report.commune_code,
        "declarant": report.declarant,
        "declarant_name": report.declarant["full_name"],
        "declarant_national_id": report.declarant["national_id"],
        "source": source,
        "person_id": subject.person.id if subject.person else None,
        "status": status,
        "request_fingerprint": report.fingerprint(),
        "response": {},
        "undo": undo,
    }


def _claim_again(
    report: DeathReport, source: str, subject: DeathSubject, status: str, undo: dict
) -> DeathRecord | None:
    """interchange.md section 2: a registration number sent again after its cancellation is
    a new registration, its effects applied again (not the cancelled one's stale answer).
    The cancelled row is claimed back by one UPDATE ... WHERE status = 'cancelled': of two
    such requests at once, the second finds it effective and is a replay."""
    values = _claim_values(report, source, subject, status, undo)
    del values["registration_number"]
    values.update(funeral_case_id=None, cancelled_at=None, cancel_reason=None)
    return db.session.scalars(
        update(DeathRecord)
        .where(
            DeathRecord.registration_number == report.registration_number,
            DeathRecord.status == "cancelled",
        )
        .values(**values)
        .returning(DeathRecord),
        execution_options={"populate_existing": True},
    ).first()


def _claim(
    report: DeathReport, source: str, subject: DeathSubject, status: str, undo: dict
) -> DeathRecord | None:
    """``INSERT ... ON CONFLICT (registration_number) DO NOTHING RETURNING``: the unique
    registration number decides, in the database, which request applies a death. A
    concurrent request with the same number waits for the first one's commit and gets no
    row (``None``): it is a replay. The claim comes before any effect."""
    values = _claim_values(report, source, subject, status, undo)
    statement = _CLAIM[db.session.get_bind().dialect.name]
    return db.session.scalars(statement, [values]).first()


def _undo(person: PersonFacts | None, beneficiary: BeneficiaryFacts | None, closed: list) -> dict:
    """What the effects are about to change, to reverse them on a cancellation."""
    undo: dict = {}
    if person is not None:
        undo["person"] = {
            "died_on": None,
            "residence_deregistered_on": str(person.residence_deregistered_on or ""),
        }
    if beneficiary is not None:
        undo["beneficiary"] = {
            "id": beneficiary.id,
            "status": beneficiary.status,
            "last_entitled_month": str(beneficiary.last_entitled_month or ""),
            "categories": [[held, str(to_month) if to_month else None]
                           for held, to_month in closed],
        }  # fmt: skip
    return undo


def _stop_allowance(beneficiary: BeneficiaryFacts, closed: list[int], last_month: Month) -> tuple:
    """ND20 Art 8.2: stop from the month after the month of death (that month is paid).
    Returns the audit entry of the change."""
    write_stop(beneficiary.id, closed, last_month, status="deceased")
    return (
        "registry.deceased", "beneficiary", beneficiary.code,
        {"status": [beneficiary.status, "deceased"], "last_entitled_month": [None, last_month]},
        beneficiary.commune_code,
    )  # fmt: skip


def _open_funeral_case(
    record: DeathRecord,
    beneficiary: BeneficiaryFacts,
    amount: int | None,
    actor: Actor,
    today: date,
):
    """ND20 Art 11: the organiser of the funeral (the declarant, unless someone else claims
    it) gets 20 × the standard level in force on the date of death, due in 3 working days."""
    case = open_case(
        FUNERAL_PROCEDURE,
        beneficiary.commune_code,
        record.full_name,
        actor,
        today,
        subject_national_id=record.national_id,
        subject_person_id=beneficiary.person_id,
        declarant=record.declarant,
        data={
            "death_registration": record.registration_number,
            "date_of_death": record.date_of_death.isoformat(),
            "beneficiary_code": beneficiary.code,
            **({} if amount is not None else {"amount_missing": "no_rule"}),
        },
        amount=amount,
        origin="civil_registry",
    )
    notify_commune_officers(case, "funeral_case_opened")
    return case


def _response_body(record, residence_status, beneficiary, last_month, funeral) -> dict:
    stopped = None
    if beneficiary is not None:
        stopped = {"code": beneficiary.code, "status": "stopped",
                   "last_entitled_month": str(last_month)}  # fmt: skip
    return {
        "death_id": record.id,
        "residence_deregistration": {"status": residence_status},
        "beneficiary": stopped,
        "funeral_allowance": None
        if funeral is None
        else {"case_code": funeral.code, "amount": funeral.amount},
    }


def cancel_death(registration_number: str, reason: str, actor: Actor) -> DeathRecord:
    """The civil registry corrects or cancels a registration: reverse what can be reversed
    (the allowance resumes without a gap; an undecided funeral case is withdrawn).

    The registration's row is locked until the commit, whoever cancels (the API, an
    officer's page): a second cancellation at the same moment waits for the first, then
    reads it cancelled (``populate_existing``: not the copy the caller read before the
    lock) and is refused, so the effects are reversed once, with one audit row
    (interchange.md section 2; decisions 102, 184)."""
    record = db.session.scalar(
        select(DeathRecord)
        .where(DeathRecord.registration_number == registration_number)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if record is None:
        raise NotFound(_l("No death registration %(number)s.", number=registration_number))
    if record.status == "cancelled":
        raise AlreadyRecorded(_l("Registration %(number)s is already cancelled.",
                                 number=registration_number))  # fmt: skip
    if record.status == "effective":
        _reverse_effects(record, actor)
    record.status = "cancelled"
    record.cancelled_at = datetime.now(UTC)
    record.cancel_reason = reason
    record_audit(actor, "death.cancelled", "death", registration_number, {"reason": reason},
                 commune_code=record.commune_code)  # fmt: skip
    db.session.flush()
    return record


def _reverse_effects(record: DeathRecord, actor: Actor) -> None:
    person = db.session.get(Person, record.person_id) if record.person_id else None
    if person is not None:
        person.died_on = None
        person.residence_deregistered_on = None
        person.residence_deregistration_ref = None
        db.session.add(
            ResidenceEvent(
                person_id=person.id, kind="registered", commune_code=person.commune_code,
                address=person.address, on_date=record.registered_on,
                reference=f"cancelled {record.registration_number}",
            )
        )  # fmt: skip
    undo = (record.undo or {}).get("beneficiary")
    if undo:
        beneficiary = db.session.get(Beneficiary, undo["id"])
        beneficiary.status = undo["status"]
        last = undo["last_entitled_month"]
        beneficiary.last_entitled_month = Month.parse(last) if last else None
        reopened = dict(undo["categories"])
        for held in beneficiary.categories:
            if held.id in reopened:
                previous = reopened[held.id]
                held.to_month = Month.parse(previous) if previous else None
        record_audit(
            actor, "registry.resumed", "beneficiary", beneficiary.code,
            {"status": ["deceased", beneficiary.status]}, commune_code=beneficiary.commune_code,
        )  # fmt: skip
    if record.funeral_case_id:
        case = db.session.get(Case, record.funeral_case_id)
        if case is not None and case.status not in ("approved", "refused", "withdrawn"):
            note = death_cancelled_note(record.registration_number)
            move_case(case, "withdrawn", actor, note=note)
