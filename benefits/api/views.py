"""The JSON API at /api/v1 (interchange.md section 2), for system clients with a token."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from benefits.accounts.audit import Actor
from benefits.api.clients import require_client
from benefits.api.openapi import openapi_document
from benefits.deaths.service import ConflictingReplay, cancel_death, record_death
from benefits.deaths.validation import parse_death_report
from benefits.extensions import csrf, db
from benefits.people.national_id import mask_national_id
from benefits.places.calendar import vietnam_today
from benefits.procedures.catalogue import PROCEDURES
from benefits.registry.models import Beneficiary

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(api_bp)


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
    for attempt in (1, 2):
        try:
            record, created = record_death(report, _actor(), "civil_registry", vietnam_today())
            body = record.response  # read before the commit expires the record
            db.session.commit()
            break
        except ConflictingReplay as conflict:
            db.session.rollback()
            return jsonify({"error": str(conflict)}), 409
        except IntegrityError:
            # Another registration of the same person's death committed while this one was
            # applied (one effective death per person, a database fact): applied once more,
            # this one is recorded as a duplicate of it, as if it had come second.
            db.session.rollback()
            if attempt == 2:
                return jsonify({"error": "conflicting registration"}), 409
    return jsonify(body), 201 if created else 200


@api_bp.delete("/civil-registry/deaths/<registration_number>")
@require_client
def delete_death(registration_number: str):
    payload = request.get_json(silent=True) or {}
    reason = payload.get("reason") if isinstance(payload, dict) else None
    if not isinstance(reason, str) or not reason.strip():
        return jsonify({"errors": [{"field": "reason", "message": "required"}]}), 422
    # NotFound answers 404 and AlreadyRecorded 409, as every refusal (benefits.web.transaction).
    record = cancel_death(registration_number, reason.strip(), _actor())
    return jsonify({"death_id": record.id, "status": record.status}), 200


@api_bp.get("/beneficiaries/<code>")
@require_client
def get_beneficiary(code: str):
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
