"""The civil-registry API and the death effects engine (interchange.md section 2;
domain.md section 5)."""

import pytest
from sqlalchemy import func, select

from benefits.accounts.audit import Actor
from benefits.api.clients import create_client
from benefits.cases.models import Case
from benefits.deaths.models import DeathRecord
from benefits.extensions import db
from benefits.month import Month
from benefits.people.models import ResidenceEvent
from tests.builders import create_beneficiary, national_id_for

URL = "/api/v1/civil-registry/deaths"


@pytest.fixture
def token():
    return create_client("civil-registry", Actor.system("test"))


@pytest.fixture
def beneficiary():
    from datetime import date

    return create_beneficiary(
        categories=["ELDERLY_COMMUNITY_CARE"], effective_month="2024-01",
        date_of_birth=date(1944, 12, 31), full_name="Ông Văn Đức", commune_code="00070",
    )  # fmt: skip


def report(beneficiary, **changes):
    body = {
        "registration_number": "KT-2025-000123",
        "national_id": beneficiary.person.national_id,
        "full_name": beneficiary.person.full_name,
        "date_of_death": "2025-03-14",
        "registered_on": "2025-03-16",
        "commune_code": "00070",
        "declarant": {"full_name": "Nguyễn Thị B", "national_id": "001190054321",
                      "relationship": "con"},
    }  # fmt: skip
    body.update(changes)
    return body


def post(client, token, body):
    return client.post(URL, json=body, headers={"Authorization": f"Bearer {token}"})


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_without_a_valid_token_the_answer_is_401(client, beneficiary, token):
    assert client.post(URL, json=report(beneficiary)).status_code == 401
    bad = client.post(URL, json=report(beneficiary), headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert count(DeathRecord) == 0


def test_a_death_stops_the_allowance_and_opens_the_funeral_support(client, token, beneficiary):
    response = post(client, token, report(beneficiary))
    assert response.status_code == 201
    body = response.get_json()
    assert body["residence_deregistration"] == {"status": "recorded"}
    assert body["beneficiary"] == {
        "code": beneficiary.code, "status": "stopped", "last_entitled_month": "2025-03",
    }  # fmt: skip
    # ND20 Art 11: 20 × 500,000 VND in force on the date of death.
    assert body["funeral_allowance"]["amount"] == 10_000_000
    db.session.refresh(beneficiary)
    assert beneficiary.status == "deceased"
    assert beneficiary.last_entitled_month == Month(2025, 3)
    assert beneficiary.person.residence_deregistration_ref == "KT-2025-000123"
    assert count(ResidenceEvent, ResidenceEvent.kind == "deregistered") == 1
    case_code = body["funeral_allowance"]["case_code"]
    case = db.session.scalar(select(Case).where(Case.code == case_code))
    assert case.procedure_code == "1.001731" and case.status == "submitted"
    assert case.declarant_name == "Nguyễn Thị B" and case.commune_code == "00070"
    assert case.due_on is not None and case.due_on > case.received_on


def test_the_same_registration_twice_has_its_effects_once(client, token, beneficiary):
    first = post(client, token, report(beneficiary))
    again = post(client, token, report(beneficiary))
    assert again.status_code == 200
    assert again.get_json() == first.get_json()
    assert count(Case) == 1 and count(DeathRecord) == 1


def test_the_same_number_with_other_content_is_a_conflict(client, token, beneficiary):
    post(client, token, report(beneficiary))
    conflict = post(client, token, report(beneficiary, date_of_death="2025-03-15"))
    assert conflict.status_code == 409
    assert count(Case) == 1


def test_a_second_number_for_the_same_death_has_no_effects(client, token, beneficiary):
    post(client, token, report(beneficiary))
    second = post(client, token, report(beneficiary, registration_number="KT-2025-000999"))
    assert second.status_code == 201
    assert second.get_json()["funeral_allowance"] is None
    assert count(Case) == 1
    assert count(DeathRecord, DeathRecord.status == "duplicate") == 1


def test_a_person_who_is_not_a_beneficiary_gets_no_allowance_effects(client, token):
    from datetime import date

    body = {
        "registration_number": "KT-2025-000555",
        "national_id": national_id_for(date(1950, 1, 1), "M"),
        "full_name": "Người Chưa Biết",
        "date_of_death": "2025-03-14",
        "registered_on": "2025-03-16",
        "commune_code": "00070",
        "declarant": {"full_name": "Nguyễn Thị B", "national_id": "001190054321"},
    }
    response = post(client, token, body)
    assert response.status_code == 201
    assert response.get_json()["beneficiary"] is None
    assert response.get_json()["funeral_allowance"] is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"national_id": "12345"}, "national_id"),
        ({"date_of_death": "2025-02-30"}, "date_of_death"),
        ({"date_of_death": "2099-01-01"}, "date_of_death"),
        ({"date_of_death": "2025-03-20"}, "date_of_death"),  # after registered_on
        ({"commune_code": "99999"}, "commune_code"),
        ({"declarant": {"full_name": "B"}}, "declarant.national_id"),
        ({"registration_number": ""}, "registration_number"),
    ],
)
def test_invalid_input_is_422_field_by_field_and_changes_nothing(
    client, token, beneficiary, changes, field
):
    response = post(client, token, report(beneficiary, **changes))
    assert response.status_code == 422
    assert field in [e["field"] for e in response.get_json()["errors"]]
    assert count(DeathRecord) == 0
    db.session.refresh(beneficiary)
    assert beneficiary.status == "active"


def test_a_cancelled_death_resumes_the_allowance_without_a_gap(client, token, beneficiary):
    body = post(client, token, report(beneficiary)).get_json()
    response = client.delete(
        f"{URL}/KT-2025-000123", json={"reason": "wrong person"},
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert response.status_code == 200
    db.session.refresh(beneficiary)
    assert beneficiary.status == "active"
    assert beneficiary.last_entitled_month is None
    assert all(c.to_month is None for c in beneficiary.categories)
    assert beneficiary.person.died_on is None
    case_code = body["funeral_allowance"]["case_code"]
    case = db.session.scalar(select(Case).where(Case.code == case_code))
    assert case.status == "withdrawn"


def test_the_catalogue_and_the_openapi_document_are_public(client):
    procedures = client.get("/api/v1/procedures").get_json()
    assert "1.001776" in [p["code"] for p in procedures]
    assert len(procedures) >= 11
    document = client.get("/api/v1/openapi.json").get_json()
    assert "/civil-registry/deaths" in document["paths"]


def test_a_client_token_is_shown_once_stored_hashed_and_revocable(app, client, beneficiary):
    import json

    from benefits.api.models import ApiClient

    result = app.test_cli_runner().invoke(args=["clients", "create", "civil", "--json"])
    assert result.exit_code == 0
    token = json.loads(result.stdout.strip().splitlines()[-1])["token"]
    stored = db.session.scalar(select(ApiClient).where(ApiClient.name == "civil"))
    assert stored.token_hash != token and len(stored.token_hash) == 64
    assert post(client, token, report(beneficiary)).status_code == 201
    assert app.test_cli_runner().invoke(args=["clients", "revoke", "civil"]).exit_code == 0
    assert post(client, token, report(beneficiary)).status_code == 401


def test_an_officer_records_a_death_by_hand_with_the_same_effects(app, beneficiary):
    from benefits.accounts.service import create_staff_user

    officer = app.test_client()
    create_staff_user("officer", "o@xa.gov.vn", "Cán Bộ", "một-mật-khẩu-dài", Actor.system("t"),
                      commune_code="00070")  # fmt: skip
    officer.post("/login", data={"username": "o@xa.gov.vn", "password": "một-mật-khẩu-dài"})
    form = {
        "registration_number": "KT-TAY-1", "national_id": beneficiary.person.national_id,
        "full_name": beneficiary.person.full_name, "date_of_death": "2025-03-14",
        "registered_on": "2025-03-16", "declarant_name": "Nguyễn Thị B",
        "declarant_national_id": "001190054321", "declarant_relationship": "con",
    }  # fmt: skip
    assert officer.post("/officer/deaths", data=form).status_code == 302
    db.session.refresh(beneficiary)
    assert beneficiary.status == "deceased"
    assert count(Case) == 1
    again = officer.post("/officer/deaths", data={**form, "registration_number": "KT-TAY-2"})
    assert again.status_code == 302
    page = officer.get("/officer/deaths").get_data(as_text=True)
    assert "KT-TAY-2" in page and "tag-warning" in page  # listed as a possible duplicate
    assert count(Case) == 1


def test_a_death_is_audited_and_the_commune_officers_are_told_of_the_funeral_case(
    client, token, beneficiary
):
    from benefits.accounts.models import AuditEntry
    from benefits.accounts.service import create_staff_user
    from benefits.notify.models import Notification

    staff = Actor.system("t")
    here = create_staff_user("officer", "o1@xa.gov.vn", "Cán Bộ", "một-mật-khẩu-dài", staff,
                             commune_code="00070")  # fmt: skip
    elsewhere = create_staff_user("officer", "o2@xa.gov.vn", "Cán Bộ Khác", "một-mật-khẩu-dài",
                                  staff, commune_code="26506")  # fmt: skip
    body = post(client, token, report(beneficiary)).get_json()
    case_code = body["funeral_allowance"]["case_code"]
    audited = {
        (e.action, e.object_id)
        for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.actor_label == "system:civil-registry")
        )
    }
    assert audited == {
        ("death.recorded", "KT-2025-000123"),
        ("registry.deceased", beneficiary.code),
        ("case.submitted", case_code),
    }
    recorded = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "death.recorded"))
    assert recorded.changes["funeral_case"] == case_code
    assert recorded.changes["date_of_death"] == "2025-03-14"
    number = beneficiary.person.national_id
    assert recorded.changes["national_id"] == number[:3] + "******" + number[-3:]
    told = db.session.scalars(select(Notification)).all()
    assert [(n.user_id, n.kind, n.case_code) for n in told] == [
        (here.id, "funeral_case_opened", case_code)
    ]
    assert elsewhere.id not in [n.user_id for n in told]


def test_a_second_number_for_the_same_death_is_audited_as_a_duplicate(client, token, beneficiary):
    from benefits.accounts.models import AuditEntry

    post(client, token, report(beneficiary))
    post(client, token, report(beneficiary, registration_number="KT-2025-000999"))
    duplicate = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "death.duplicate"))
    assert duplicate.object_id == "KT-2025-000999"
    assert beneficiary.person.national_id not in str(duplicate.changes)
    assert count(AuditEntry, AuditEntry.action == "registry.deceased") == 1


def test_an_ended_category_keeps_its_end_after_a_cancellation(client, token):
    from datetime import date

    held = create_beneficiary(
        categories=[("ELDERLY_COMMUNITY_CARE", Month(2024, 1), None),
                    ("DISABLED_SEVERE", Month(2024, 1), Month(2024, 6))],
        date_of_birth=date(1944, 12, 31), commune_code="00070",
    )  # fmt: skip
    post(client, token, report(held))
    db.session.refresh(held)
    for category in held.categories:
        db.session.refresh(category)
    assert sorted(str(c.to_month) for c in held.categories) == ["2024-06", "2025-03"]
    client.delete(f"{URL}/KT-2025-000123", json={"reason": "wrong person"},
                  headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    for category in held.categories:
        db.session.refresh(category)
    ends = {c.category_code: c.to_month for c in held.categories}
    assert ends == {"ELDERLY_COMMUNITY_CARE": None, "DISABLED_SEVERE": Month(2024, 6)}


def test_objects_already_loaded_read_the_death_at_once(beneficiary):
    """The engine writes with plain statements: what the session holds must not go stale
    (an officer's page rendered in the same request shows the death)."""
    from datetime import date

    from benefits.deaths.service import DeathReport, record_death

    assert beneficiary.status == "active" and beneficiary.categories[0].to_month is None
    report_in = DeathReport(
        registration_number="KT-TAY-9", national_id=beneficiary.person.national_id,
        full_name=beneficiary.person.full_name, date_of_death=date(2025, 3, 14),
        registered_on=date(2025, 3, 16), commune_code="00070",
        declarant={"full_name": "Nguyễn Thị B", "national_id": "001190054321"},
    )  # fmt: skip
    record_death(report_in, Actor.system("t"), "officer", date(2025, 3, 17))
    assert beneficiary.status == "deceased"
    assert beneficiary.last_entitled_month == Month(2025, 3)
    assert beneficiary.categories[0].to_month == Month(2025, 3)
    assert beneficiary.person.died_on == date(2025, 3, 14)
    assert beneficiary.person.residence_deregistration_ref == "KT-TAY-9"
