"""The limits of the civil registry's death API (interchange.md section 2; issue 29.3;
decisions 101, 104): every refusal is a field-by-field 422 (or 413 for a large body)
and records nothing; what the contract allows still goes through."""

import json

import pytest
from sqlalchemy import func, select

from benefits.accounts.models import AuditEntry
from benefits.deaths.models import DeathRecord
from benefits.extensions import db
from tests.integration.test_death_registrations import URL, post, report
from tests.integration.test_death_registrations import beneficiary as _beneficiary
from tests.integration.test_death_registrations import token as _token

token = _token
beneficiary = _beneficiary


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def refused(client, token, body) -> dict[str, str]:
    before = (count(DeathRecord), count(AuditEntry))
    response = post(client, token, body)
    assert response.status_code == 422, response.get_json()
    assert (count(DeathRecord), count(AuditEntry)) == before
    return {e["field"]: e["message"] for e in response.get_json()["errors"]}


def test_a_date_before_1900_is_refused(client, token, beneficiary):
    errors = refused(client, token, report(beneficiary, date_of_death="1899-12-31",
                                           registered_on="1899-12-31"))  # fmt: skip
    assert errors == {"date_of_death": "before 1900-01-01", "registered_on": "before 1900-01-01"}
    assert refused(client, token, report(beneficiary, date_of_death="20250314")) == {
        "date_of_death": "not a date (YYYY-MM-DD)"}  # fmt: skip


@pytest.mark.parametrize("value", ["Nguyễn\x00Văn A", "Nguyễn\tVăn A", "Nguyễn Văn A\x1b"])
def test_a_control_character_in_any_text_field_is_refused(client, token, beneficiary, value):
    body = report(beneficiary, full_name=value, registration_number=f"KT{value}")
    body["declarant"] = {**body["declarant"], "full_name": value, "relationship": value}
    assert refused(client, token, body) == dict.fromkeys(
        ["registration_number", "full_name", "declarant.full_name", "declarant.relationship"],
        "holds a control character",
    )


def test_over_long_fields_are_refused_and_the_longest_allowed_go_through(
    client, token, beneficiary
):
    body = report(beneficiary, full_name="A" * 121, registration_number="K" * 41)
    body["declarant"] = {**body["declarant"], "full_name": "B" * 121, "relationship": "c" * 61}
    assert refused(client, token, body) == {
        "registration_number": "at most 40 characters", "full_name": "at most 120 characters",
        "declarant.full_name": "at most 120 characters",
        "declarant.relationship": "at most 60 characters",
    }  # fmt: skip
    body = report(beneficiary, full_name="A" * 120, registration_number="K" * 40)
    body["declarant"] = {**body["declarant"], "full_name": "B" * 120, "relationship": "c" * 60}
    assert post(client, token, body).status_code == 201


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_a_text_beginning_like_a_spreadsheet_formula_is_refused(client, token, beneficiary,
                                                                start):  # fmt: skip
    body = report(beneficiary, full_name=f"{start}HYPERLINK(1)")
    body["declarant"] = {**body["declarant"], "relationship": f"{start}con"}
    assert set(refused(client, token, body)) == {"full_name", "declarant.relationship"}


def test_a_body_over_64_kib_is_413_and_without_a_token_still_401(client, token, beneficiary):
    body = report(beneficiary, padding="x" * (64 * 1024))
    response = post(client, token, body)
    assert response.status_code == 413
    assert response.get_json() == {"error": "the body is too large"}
    assert client.post(URL, json=body).status_code == 401
    assert count(DeathRecord) == 0
    # Just under the limit, the same report is received.
    body = report(beneficiary)
    body["padding"] = "x" * (64 * 1024 - len(json.dumps(body)) - 20)
    assert post(client, token, body).status_code == 201


@pytest.mark.parametrize("body", [
    "[" * 30_000 + "]" * 30_000, "[" * 25 + "]" * 25, '"text"', "[]", "12", "{", "null",
    '{"registration_number": 12, "full_name": ["A"], "declarant": "B", '
    '"date_of_death": {"y": 2025}, "national_id": true, "commune_code": 70}',
])  # fmt: skip
def test_deep_nesting_and_wrong_types_are_422(client, token, body):
    response = client.post(URL, data=body, content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert response.status_code == 422
    assert response.get_json()["errors"]
    assert count(DeathRecord) == 0


def test_deeply_nested_values_inside_the_report_are_422(client, token, beneficiary):
    nested = {}
    for _ in range(30):
        nested = {"x": nested}
    response = post(client, token, report(beneficiary, extra=nested))
    assert response.status_code == 422


def delete(client, token, number, body):
    return client.delete(f"{URL}/{number}", json=body,
                         headers={"Authorization": f"Bearer {token}"})  # fmt: skip


def test_a_cancellation_needs_a_clean_reason_and_a_number_that_can_exist(
    client, token, beneficiary
):
    assert post(client, token, report(beneficiary)).status_code == 201
    number = "KT-2025-000123"
    for reason, message in [("", "required"), ("Nhầm\x00", "holds a control character"),
                            ("x" * 501, "at most 500 characters"),
                            ("=1+1", "must not begin with =, +, -, @, a tab or a carriage "
                                     "return")]:  # fmt: skip
        response = delete(client, token, number, {"reason": reason})
        assert response.status_code == 422
        assert response.get_json()["errors"] == [{"field": "reason", "message": message}]
    assert delete(client, token, "KT\x00", {"reason": "Nhầm"}).status_code == 404
    assert delete(client, token, "K" * 500, {"reason": "Nhầm"}).status_code == 404
    assert db.session.scalar(select(DeathRecord.status)) == "effective"
    assert delete(client, token, number, {"reason": "Nhầm người"}).status_code == 200
    assert delete(client, token, number, {"reason": "Nhầm người"}).status_code == 409


def test_a_control_character_or_huge_code_in_the_beneficiary_address_is_404(client, token):
    for code in ("BTXH\x00", "B" * 41, "9" * 20):
        response = client.get(f"/api/v1/beneficiaries/{code}",
                              headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        assert response.status_code == 404
