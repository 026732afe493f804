"""Every death stops payment, through the one death engine (issue 25 item 6; domain.md
sections 2 and 5; interchange.md section 2): a funeral dossier filed by a citizen, a death
reported before the person is in the registry, a registration cancelled and sent again."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from benefits.accounts.audit import Actor
from benefits.api.clients import create_client
from benefits.cases.models import Case
from benefits.cases.service import open_case, start_checking
from benefits.cases.workflow import Proposal, decide, propose
from benefits.deaths.models import DeathRecord
from benefits.deaths.service import DeathReport, record_death
from benefits.errors import DomainError
from benefits.extensions import db
from benefits.month import Month
from benefits.payments.generation import generate_batch
from benefits.payments.models import PaymentLine
from benefits.people.models import Person
from benefits.procedures.models import PostingSetting
from benefits.registry.care_support import grant_care_support
from benefits.registry.models import Beneficiary
from tests.builders import create_beneficiary, create_person

SYSTEM = Actor.system("test")
TODAY = date(2025, 3, 6)
DECLARANT = {"full_name": "Đỗ Thị Hoa", "national_id": "001190054321", "relationship": "con"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime(2025, 3, 6, 2, 0, tzinfo=UTC), tick=False):
        yield


def lines_of(month: Month, beneficiary) -> dict[str, PaymentLine]:
    batch = generate_batch(month, "commune", "00070", SYSTEM)
    return {
        line.kind: line
        for line in db.session.scalars(
            select(PaymentLine).where(
                PaymentLine.batch_id == batch.id, PaymentLine.beneficiary_id == beneficiary.id
            )
        )
    }


def funeral_dossier(person: Person, died: str) -> Case:
    """The deceased's daughter files the funeral support (Mẫu 04) online."""
    case = open_case("1.001731", "00070", person.full_name, SYSTEM, TODAY,
                     subject_national_id=person.national_id, declarant=DECLARANT,
                     data={"date_of_death": died,
                           "date_of_birth": person.date_of_birth.isoformat()})  # fmt: skip
    start_checking(case, SYSTEM)
    return case


def test_a_citizen_s_funeral_dossier_records_the_death_and_stops_the_allowance_and_care(
    clock,
):
    """domain.md section 2: a funeral dossier for a living beneficiary never leaves their
    allowance running. Died 20 February; the chairman signs on 6 March: February is the
    last month paid, to the allowance and to the carer, and nothing after it."""
    deceased = create_beneficiary(categories=("ELDERLY_COMMUNITY_CARE",),
                                  effective_month="2025-01", full_name="Vũ Văn Bảy",
                                  date_of_birth=date(1940, 1, 5))  # fmt: skip
    carer = create_person(full_name="Hà Thị Mai", date_of_birth=date(1980, 2, 2), sex="F")
    grant_care_support(deceased, "CARE_ELDERLY_COMMUNITY", carer.full_name, carer.national_id,
                       Month(2025, 1), SYSTEM)  # fmt: skip
    case = funeral_dossier(deceased.person, "2025-02-20")
    propose(case, Proposal(outcome="approve"), SYSTEM, TODAY)
    decide(case, True, None, SYSTEM, TODAY)
    db.session.expire_all()
    record = db.session.get(Beneficiary, deceased.id)
    assert (record.status, record.last_entitled_month) == ("deceased", Month(2025, 2))
    assert record.person.died_on == date(2025, 2, 20)
    [death] = db.session.scalars(select(DeathRecord))
    assert (death.registration_number, death.source) == (case.code, "funeral_dossier")
    # No second funeral case: this dossier is the funeral support.
    assert death.funeral_case_id is None
    march = lines_of(Month(2025, 3), deceased)
    assert march["ALLOWANCE"].monthly_amount == 0
    assert march["ALLOWANCE"].arrears_months == "2025-01;2025-02"
    assert march["CARE_SUPPORT"].monthly_amount == 0
    assert march["CARE_SUPPORT"].arrears_months == "2025-01;2025-02"
    assert march["FUNERAL"].one_off_amount == 10_000_000
    assert lines_of(Month(2025, 4), deceased) == {}


def test_a_funeral_for_someone_who_received_no_allowance_is_not_proposed_for_approval():
    """ND20 Art 11: funeral support is for a monthly-allowance beneficiary."""
    stranger = create_person(full_name="Lý Văn Khách", date_of_birth=date(1960, 1, 1))
    case = funeral_dossier(stranger, "2025-02-20")
    with pytest.raises(DomainError, match="Điều 11"):
        propose(case, Proposal(outcome="approve"), SYSTEM, TODAY)
    assert case.status == "checking" and stranger.died_on is None


def report_for(national_id: str, full_name: str, number="KT-2025-7", died=date(2025, 2, 20)):
    return DeathReport(registration_number=number, national_id=national_id,
                       full_name=full_name, date_of_death=died, registered_on=TODAY,
                       commune_code="00070", declarant=DECLARANT)  # fmt: skip


def test_a_death_reported_before_the_grant_is_applied_when_the_chairman_grants():
    """The civil registry reports the death of a person the portal does not know; a
    grant signed later records them deceased: no month after the death is paid."""
    db.session.add(PostingSetting(procedure_code="1.001776", province_code="01",
                                  public_posting=False))  # fmt: skip
    record, _ = record_death(report_for("001050000321", "Trần Văn Muộn"), SYSTEM, "test", TODAY)
    assert record.person_id is None
    case = open_case("1.001776", "00070", "Trần Văn Muộn", SYSTEM, TODAY,
                     subject_national_id="001050000321",
                     data={"category": "ELDERLY_POOR_ALONE", "date_of_birth": "1950-01-01",
                           "sex": "M"})  # fmt: skip
    start_checking(case, SYSTEM)
    propose(case, Proposal(outcome="approve", category="ELDERLY_POOR_ALONE",
                           payment_method="COMMUNE"), SYSTEM, TODAY)  # fmt: skip
    decide(case, True, None, SYSTEM, TODAY)
    db.session.expire_all()
    record = db.session.get(DeathRecord, record.id)
    beneficiary = db.session.scalar(select(Beneficiary).where(
        Beneficiary.person_id == record.person_id))  # fmt: skip
    assert (beneficiary.status, beneficiary.last_entitled_month) == ("deceased", Month(2025, 2))
    assert beneficiary.person.died_on == date(2025, 2, 20)
    assert lines_of(Month(2025, 3), beneficiary) == {}
    assert lines_of(Month(2025, 4), beneficiary) == {}


def test_a_death_reported_before_the_import_is_applied_by_the_import(app, tmp_path):
    from tests.integration.test_caseload_import import GOOD, run_import, write

    record_death(report_for("001050700004", "Lâm Văn Sơn", died=date(2025, 3, 10)), SYSTEM,
                 "test", TODAY)  # fmt: skip
    result = run_import(app, write(tmp_path, GOOD))
    assert result.exit_code == 0, result.stderr
    assert "001******004" in result.stderr and "KT-2025-7" in result.stderr
    assert "001050700004" not in result.stderr
    beneficiary = db.session.scalar(select(Beneficiary).join(Person).where(
        Person.national_id == "001050700004"))  # fmt: skip
    assert (beneficiary.status, beneficiary.last_entitled_month) == ("deceased", Month(2025, 3))
    # Paid by the previous system through February: March, the month of death, only.
    april = lines_of(Month(2025, 4), beneficiary)
    assert april["ALLOWANCE"].monthly_amount == 0
    assert april["ALLOWANCE"].arrears_months == "2025-03"
    assert april["ALLOWANCE"].payee_name == "Đỗ Thị Hoa"


def test_a_registration_cancelled_and_sent_again_applies_its_effects_again(client):
    """interchange.md section 2: sent again after its cancellation, the same number is a
    new registration: 201, its effects applied again (not the cancelled one's answer)."""
    token = create_client("civil-registry", SYSTEM)
    deceased = create_beneficiary(
        categories=("ELDERLY_COMMUNITY_CARE",),
        effective_month="2024-01",
        date_of_birth=date(1944, 12, 31),
    )
    headers = {"Authorization": f"Bearer {token}"}
    body = {"registration_number": "KT-2025-000123",
            "national_id": deceased.person.national_id, "full_name": deceased.person.full_name,
            "date_of_death": "2025-02-14", "registered_on": "2025-03-01",
            "commune_code": "00070", "declarant": DECLARANT}  # fmt: skip
    first = client.post("/api/v1/civil-registry/deaths", json=body, headers=headers).get_json()
    assert client.delete("/api/v1/civil-registry/deaths/KT-2025-000123",
                         json={"reason": "nhầm"}, headers=headers).status_code == 200  # fmt: skip
    assert db.session.get(Beneficiary, deceased.id).status == "active"
    again = client.post("/api/v1/civil-registry/deaths", json=body, headers=headers)
    assert again.status_code == 201
    answer = again.get_json()
    assert answer["beneficiary"]["last_entitled_month"] == "2025-02"
    assert answer["funeral_allowance"]["case_code"] != first["funeral_allowance"]["case_code"]
    db.session.expire_all()
    assert db.session.get(Beneficiary, deceased.id).status == "deceased"
    assert db.session.scalar(select(DeathRecord.status)) == "effective"
    # Sent a third time: a replay of the second, answered the same.
    third = client.post("/api/v1/civil-registry/deaths", json=body, headers=headers)
    assert third.status_code == 200 and third.get_json() == answer


def test_a_second_funeral_dossier_for_the_same_death_is_not_proposed_for_approval(clock):
    """One funeral support per death: the civil registry's report opened one already."""
    deceased = create_beneficiary(
        categories=("ELDERLY_COMMUNITY_CARE",),
        effective_month="2025-01",
        date_of_birth=date(1940, 1, 5),
    )
    record_death(report_for(deceased.person.national_id, deceased.person.full_name), SYSTEM,
                 "test", TODAY)  # fmt: skip
    opened = db.session.scalar(select(Case).where(Case.procedure_code == "1.001731"))
    case = funeral_dossier(deceased.person, "2025-02-20")
    with pytest.raises(DomainError, match=opened.code):
        propose(case, Proposal(outcome="approve"), SYSTEM, TODAY)
