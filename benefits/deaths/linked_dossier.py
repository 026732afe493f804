"""The citizen's linked dossier (Decree 63/2024, procedure 2.002913): death registration
with residence deregistration and/or funeral support, filed online as one dossier. When
the commune accepts it, the same effects engine as the civil-registry API applies it."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from benefits.accounts.audit import Actor
from benefits.accounts.models import User
from benefits.cases.models import Case, death_recorded_note
from benefits.cases.service import move_case
from benefits.deaths.service import DeathReport, record_death
from benefits.errors import InvalidTransition
from benefits.extensions import db

LINKED_DEATH_PROCEDURE = "2.002913"


def accept_linked_death_dossier(case: Case, actor: Actor, today: date) -> Case:
    if case.procedure_code != LINKED_DEATH_PROCEDURE:
        raise InvalidTransition(_l("This dossier is not a linked death dossier."))
    if case.status == "submitted":
        move_case(case, "checking", actor)
    applicant = db.session.get(User, case.applicant_user_id) if case.applicant_user_id else None
    declarant = {
        "full_name": case.declarant_name or (applicant.full_name if applicant else ""),
        "national_id": case.declarant_national_id or (applicant.national_id if applicant else ""),
        "relationship": case.declarant_relationship,
    }
    components = case.data.get("components") or "all"
    report = DeathReport(
        registration_number=case.code,
        national_id=case.subject_national_id,
        full_name=case.subject_name,
        date_of_death=date.fromisoformat(case.data["date_of_death"]),
        registered_on=today,
        commune_code=case.commune_code,
        declarant=declarant,
    )
    record, _created = record_death(
        report, actor, "citizen_dossier", today,
        deregister=components in ("all", "death_residence"),
        funeral=components in ("all", "death_funeral"),
        # domain.md section 1: the commune that received the dossier acts on its own
        # residents only; a death is registered where the person lived (Decree 63/2024).
        residents_only=True,
    )  # fmt: skip
    if record.funeral_case_id is not None and case.applicant_user_id is not None:
        # The funeral case the death opened is the filer's too: it is in their list, with
        # its amount (issue 25 item 6).
        funeral = db.session.get(Case, record.funeral_case_id)
        if funeral.applicant_user_id is None:
            funeral.applicant_user_id = case.applicant_user_id
    case.data = {**case.data, "death_record_id": record.id}
    case.decided_on = today
    move_case(case, "approved", actor, note=death_recorded_note(record.registration_number))
    return case
