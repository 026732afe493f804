"""The OpenAPI document describes the API, and schemathesis finds no server error in it
(issues 6 and 29.1; decision 101). Runs in process against the WSGI app, with a bounded
number of examples: data that fits the description and data that does not, which the
API must refuse with a 4xx (the description is no looser than the checks' refusals)."""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import negative_data_rejection, status_code_conformance
from sqlalchemy import select

from benefits.accounts.audit import Actor
from benefits.api.clients import create_client
from benefits.deaths.models import DeathRecord
from benefits.extensions import db
from benefits.safe_text import ANY_CONTROL_CHARACTER, starts_like_a_formula


def test_the_api_answers_without_server_errors(app):
    token = create_client("schemathesis", Actor.system("test"))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 4  # deaths (POST, DELETE), beneficiaries, procedures

    for operation in operations:
        for mode, checks in [
            (GenerationMode.POSITIVE, [not_a_server_error, status_code_conformance]),
            (GenerationMode.NEGATIVE, [not_a_server_error, negative_data_rejection]),
        ]:
            if (
                mode is GenerationMode.NEGATIVE
                and operation.method.upper() == "GET"
                and (not operation.path_parameters)
            ):
                continue  # nothing to send wrong
            _run(operation, mode, checks, token)
    # Whatever was received was clean text (nothing a spreadsheet would run).
    for name, number in db.session.execute(
        select(DeathRecord.full_name, DeathRecord.registration_number)
    ):
        for text in (name, number):
            assert not ANY_CONTROL_CHARACTER.search(text) and not starts_like_a_formula(text)


def _run(operation, mode, checks, token) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck),
              database=None)  # fmt: skip
    def no_server_error(case):
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=checks)

    no_server_error()
