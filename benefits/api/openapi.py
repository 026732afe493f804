"""The OpenAPI 3.1 description of every endpoint of the API, as data.

As strict as the checks (issue 29.1; decision 101): the lengths come from the constants
the validation uses, and a text field's pattern refuses what the validation refuses (a
control character anywhere; =, +, -, @ first, interchange.md conventions).
"""

from __future__ import annotations

from benefits.deaths.validation import (
    BODY_MAX_BYTES,
    NAME_MAX,
    REASON_MAX,
    REGISTRATION_NUMBER_MAX,
    RELATIONSHIP_MAX,
)

# No control character (C0, DEL), and not =, +, -, @ (nor tab, CR: control) first.
_TEXT_PATTERN = "^[^\\x00-\\x1f\\x7f=+\\-@][^\\x00-\\x1f\\x7f]*$"
_DATE = {"type": "string", "format": "date", "pattern": "^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$",
         "description": "YYYY-MM-DD, 1900-01-01 or later"}  # fmt: skip


def _text(max_length: int) -> dict:
    return {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": _TEXT_PATTERN}


_ERROR = {"type": "object", "properties": {"error": {"type": "string"}}}
_FIELD_ERRORS = {
    "type": "object",
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        }
    },
}
_DEATH_REPORT = {
    "type": "object",
    "required": ["registration_number", "national_id", "full_name", "date_of_death",
                 "registered_on", "commune_code", "declarant"],
    "properties": {
        "registration_number": _text(REGISTRATION_NUMBER_MAX),
        "national_id": {"type": "string", "pattern": "^[0-9]{12}$"},
        "full_name": _text(NAME_MAX),
        "date_of_death": _DATE,
        "registered_on": _DATE,
        "commune_code": {"type": "string", "pattern": "^[0-9]{5}$"},
        "declarant": {
            "type": "object",
            "required": ["full_name", "national_id"],
            "properties": {
                "full_name": _text(NAME_MAX),
                "national_id": {"type": "string", "pattern": "^[0-9]{12}$"},
                "relationship": {"type": "string", "maxLength": RELATIONSHIP_MAX,
                                 "pattern": f"^$|{_TEXT_PATTERN}"},
            },
        },
    },
}  # fmt: skip
_DEATH_RESULT = {
    "type": "object",
    "properties": {
        "death_id": {"type": "integer"},
        "residence_deregistration": {"type": "object"},
        "beneficiary": {"type": ["object", "null"]},
        "funeral_allowance": {"type": ["object", "null"]},
    },
}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def openapi_document(server_name: str | None = None) -> dict:
    bearer = [{"bearer": []}]
    return {
        "openapi": "3.1.0",
        "info": {"title": "Social assistance portal API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": {
            "/civil-registry/deaths": {
                "post": {
                    "summary": "Record a death registration (Decree 63/2024)",
                    "security": bearer,
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _DEATH_REPORT}},
                    },
                    "responses": {
                        "201": _json(_DEATH_RESULT, "recorded"),
                        "200": _json(_DEATH_RESULT, "the same registration, sent again"),
                        "401": _json(_ERROR, "no valid token"),
                        "409": _json(_ERROR, "the number was sent with other content"),
                        "413": _json(_ERROR, f"a body over {BODY_MAX_BYTES // 1024} KiB"),
                        "422": _json(_FIELD_ERRORS, "invalid fields"),
                    },
                }
            },
            "/civil-registry/deaths/{registration_number}": {
                "delete": {
                    "summary": "Cancel a death registration and reverse its effects",
                    "security": bearer,
                    "parameters": [{"name": "registration_number", "in": "path",
                                    "required": True,
                                    "schema": _text(REGISTRATION_NUMBER_MAX)}],
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": {"type": "object", "required": ["reason"],
                                   "properties": {"reason": _text(REASON_MAX)}}}}},
                    "responses": {
                        "200": _json({"type": "object"}, "cancelled"),
                        "401": _json(_ERROR, "no valid token"),
                        "404": _json(_ERROR, "unknown registration"),
                        "409": _json(_ERROR, "already cancelled"),
                        "413": _json(_ERROR, f"a body over {BODY_MAX_BYTES // 1024} KiB"),
                        "422": _json(_FIELD_ERRORS, "no reason, or an invalid one"),
                    },
                }
            },
            "/beneficiaries/{code}": {
                "get": {
                    "summary": "A beneficiary of the monthly allowance",
                    "security": bearer,
                    "parameters": [{"name": "code", "in": "path", "required": True,
                                    "schema": {"type": "string", "minLength": 1,
                                               "maxLength": 40, "pattern": "^[A-Z0-9-]+$"}}],
                    "responses": {
                        "200": _json({"type": "object"}, "the beneficiary"),
                        "401": _json(_ERROR, "no valid token"),
                        "404": _json(_ERROR, "unknown code"),
                    },
                }
            },
            "/procedures": {
                "get": {
                    "summary": "The catalogue of procedures",
                    "responses": {"200": _json({"type": "array", "items": {"type": "object"}},
                                               "the procedures")},
                }
            },
            "/openapi.json": {
                "get": {"summary": "This document",
                        "responses": {"200": _json({"type": "object"}, "OpenAPI")}}
            },
        },
    }  # fmt: skip
