"""The OpenAPI document describes the API, and schemathesis finds no server error in it
(issue 6). Runs in process against the WSGI app, with a bounded number of examples."""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from benefits.accounts.audit import Actor
from benefits.api.clients import create_client


def test_the_api_answers_without_server_errors(app):
    token = create_client("schemathesis", Actor.system("test"))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 4  # deaths (POST, DELETE), beneficiaries, procedures

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck),
                  database=None)  # fmt: skip
        def no_server_error(case):
            case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error]
            )

        no_server_error()
