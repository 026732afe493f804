"""The JSON API at /api/v1 (interchange.md section 2), for system clients with a token."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from benefits.accounts.audit import Actor
from benefits.api.clients import require_client
from benefits.api.openapi import openapi_document
from benefits.deaths.models import DeathRecord
from benefits.deaths.service import cancel_death, record_death
from benefits.deaths.validation import (
    BODY_MAX_BYTES,
    parse_cancellation,
    parse_death_report,
    registration_number_could_exist,
)
from benefits.extensions import csrf, db
from benefits.people.national_id import mask_national_id
from benefits.places.calendar import vietnam_today
from benefits.procedures.catalogue import PROCEDURES
from benefits.registry.models import Beneficiary
from benefits.web.transaction import once_more_after_a_race

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(api_bp)


@api_bp.before_request
def _bounded_body():
    # interchange.md section 2: a body over 64 KiB answers 413 (read only after the token
    # is checked, so that a client without one still hears 401 first).
    request.max_content_length = BODY_MAX_BYTES


def _actor() -> Actor:
    from flask import g

    return Actor(label=f"system:{g.api_client.name}", ip=request.remote_addr)


@api_bp.post("/civil-registry/deaths")
@require_client
def post_death():
    with force_locale("en"):
        report, errors = parse_death_report(request.get_json(silent=True), vietnam_today())
    if errors:
        return jsonify({"errors": errors}), 422
    # Another registration of the same person's death committed while this one was applied
    # (one effective death per person, a database fact): applied once more, this one is
    # recorded as a duplicate of it, as if it had come second. A ConflictingReplay is 409.
    try:
        record, created = once_more_after_a_race(
            lambda: record_death(report, _actor(), "civil_registry", vietnam_today())
        )
    except IntegrityError:
        return jsonify({"error": "conflicting registration"}), 409
    return jsonify(record.response), 201 if created else 200


@api_bp.delete("/civil-registry/deaths/<registration_number>")
@require_client
def delete_death(registration_number: str):
    reason, errors = parse_cancellation(request.get_json(silent=True))
    if errors:
        return jsonify({"errors": errors}), 422
    if not registration_number_could_exist(registration_number):
        return jsonify({"error": "not found"}), 404
    _wait_for_a_concurrent_cancellation(registration_number)
    # NotFound answers 404 and AlreadyRecorded 409, as every refusal (benefits.web.transaction).
    record = cancel_death(registration_number, reason, _actor())
    return jsonify({"death_id": record.id, "status": record.status}), 200


def _wait_for_a_concurrent_cancellation(registration_number: str) -> None:
    """Lock the registration's row until this request commits: a cancellation sent twice
    at once waits here for the first, then reads it cancelled and answers 409, so its
    effects are reversed once, with one audit row (interchange.md section 2; decision
    102). PostgreSQL reads the row as committed once the lock is granted."""
    db.session.execute(
        select(DeathRecord.id)
        .where(DeathRecord.registration_number == registration_number)
        .with_for_update()
    )


@api_bp.get("/beneficiaries/<code>")
@require_client
def get_beneficiary(code: str):
    if len(code) > 40 or not code.isprintable():
        return jsonify({"error": "not found"}), 404  # no code is so; never looked up
    beneficiary = db.session.scalar(select(Beneficiary).where(Beneficiary.code == code))
    if beneficiary is None:
        return jsonify({"error": "not found"}), 404
    return jsonify(
        {
            "code": beneficiary.code,
            "status": beneficiary.status,
            "commune_code": beneficiary.commune_code,
            "national_id": mask_national_id(beneficiary.person.national_id),
            "full_name": beneficiary.person.full_name,
            "date_of_birth": beneficiary.person.date_of_birth.isoformat(),
            "effective_month": str(beneficiary.effective_month),
            "last_entitled_month": str(beneficiary.last_entitled_month)
            if beneficiary.last_entitled_month
            else None,
            "payment_method": beneficiary.payment_method,
            "categories": [
                {
                    "code": c.category_code,
                    "from_month": str(c.from_month),
                    "to_month": str(c.to_month) if c.to_month else None,
                }
                for c in beneficiary.categories
            ],
        }
    )


@api_bp.get("/procedures")
def list_procedures():
    return jsonify(
        [
            {
                "code": p.code,
                "name_vi": p.name_vi,
                "name_en": p.name_en,
                "legal_basis": p.legal_basis,
                "form": p.form,
                "deadline_working_days": None if p.calendar_days else p.deadline_working_days,
                "deadline_days": p.deadline_working_days if p.calendar_days else None,
                "public_posting": p.public_posting,
                "produces": p.produces,
            }
            for p in PROCEDURES
        ]
    )


@api_bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(current_app.config.get("SERVER_NAME")))
