"""Schema-driven fuzzing: schemathesis generates requests from our OpenAPI documents and checks every answer
against them with all of its checks (status codes, content types, headers, bodies, valid input accepted,
invalid input refused) — the documents must say exactly what the servers do.

Bounded (a few examples per operation, derandomized) so it stays well under a minute.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks

EXAMPLES = 12

load_all_checks()
EVERY_CHECK = list(CHECKS.get_all())


@pytest.fixture
def wsgi_app(db, settings):
    # The requests run inside the test's transaction: Django's own test client
    # unhooks the connection clean-up the same way.
    settings.SUARA_API_RATE_LIMIT_PER_MINUTE = 100_000
    settings.SUARA_OPEN311_RATE_LIMIT_PER_MINUTE = 100_000
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _operations(schema):
    return [result.ok() for result in schema.get_all_operations()]


def _fuzz(operation, *, headers, references, body, mode, seen):
    @given(case=operation.as_strategy(generation_mode=mode), real=st.sampled_from([False, *references]))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case, real):
        if real and case.path_parameters and "reference" in case.path_parameters:
            case.path_parameters["reference"] = real
        if mode == GenerationMode.POSITIVE and isinstance(case.body, dict):
            # What a schema cannot say (which ids and codes exist, what the e-mail check takes) comes from the test.
            case.body.update({key: value for key, value in body.items() if key in case.body})
        response = case.call(headers=headers)
        seen.add(response.status_code // 100)
        case.validate_response(response, checks=EVERY_CHECK, headers=headers)

    try:
        run()
    except Unsatisfiable:
        # An operation without parameters has no invalid form to send.
        assert mode == GenerationMode.NEGATIVE


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_v1_api_answers_as_its_document_says(wsgi_app, write_token, case, sensitive_case, category, mode):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    operations = _operations(schema)
    assert len(operations) >= 15
    seen = set()
    for operation in operations:
        _fuzz(
            operation,
            headers={"Authorization": f"Bearer {write_token}"},
            references=[case.reference, sensitive_case.reference],
            body={
                "category": category.pk,
                "region": "",
                "contact_email": "",
                "contact_preference": "none",
                "occurred_on": None,
                "language": "",
            },
            mode=mode,
            seen=seen,
        )
    assert 4 in seen  # the fuzzing reached the validation
    if mode == GenerationMode.POSITIVE:
        assert 2 in seen  # and, with valid input, the endpoints themselves


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_open311_api_answers_as_its_document_says(wsgi_app, case, category, mode):
    schema = schemathesis.openapi.from_wsgi("/api/open311/v2/openapi.json", wsgi_app)
    for operation in _operations(schema):
        _fuzz(
            operation,
            headers={},
            references=[],
            body={"service_code": str(category.pk), "email": "", "language": ""},
            mode=mode,
            seen=set(),
        )


@pytest.mark.parametrize(
    ("document", "path", "setting"),
    [
        ("/api/v1/openapi.json", "/api/v1/token", "SUARA_API_RATE_LIMIT_PER_MINUTE"),
        ("/api/open311/v2/openapi.json", "/api/open311/v2/services.json", "SUARA_OPEN311_RATE_LIMIT_PER_MINUTE"),
    ],
)
def test_a_rate_limited_answer_carries_the_retry_after_its_document_declares(
    wsgi_app, settings, read_token, document, path, setting
):
    setattr(settings, setting, 1)
    operation = schemathesis.openapi.from_wsgi(document, wsgi_app)[path]["GET"]
    assert operation.definition.raw["responses"]["429"]["headers"]["Retry-After"]["required"] is True
    case = operation.Case(headers={"Authorization": f"Bearer {read_token}"})
    assert case.call().status_code == 200
    response = case.call()
    assert response.status_code == 429
    assert int(response.headers["retry-after"][0]) >= 1
    case.validate_response(response, checks=EVERY_CHECK)


def test_every_429_and_401_in_both_documents_names_its_header(client, db):
    for address in ("/api/v1/openapi.json", "/api/open311/v2/openapi.json"):
        for path in client.get(address).json()["paths"].values():
            for operation in path.values():
                responses = operation["responses"]
                assert "Retry-After" in responses["429"]["headers"]
                if "401" in responses:
                    assert "WWW-Authenticate" in responses["401"]["headers"]
