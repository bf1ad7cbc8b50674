"""Schema-driven fuzzing: schemathesis generates requests from our OpenAPI documents; none may answer 500.

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

EXAMPLES = 12


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


def _fuzz(operation, *, headers, references, mode, seen):
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
        response = case.call(headers=headers)
        seen.add(response.status_code // 100)
        assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"
        if response.status_code >= 400 and "/api/v1/" in operation.path:
            body = response.json()
            assert set(body) >= {"code", "message"}, body

    try:
        run()
    except Unsatisfiable:
        # An operation without parameters has no invalid form to send.
        assert mode == GenerationMode.NEGATIVE


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_v1_api_never_answers_500(wsgi_app, write_token, case, sensitive_case, category, mode):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    operations = _operations(schema)
    assert len(operations) >= 15
    seen = set()
    for operation in operations:
        _fuzz(
            operation,
            headers={"Authorization": f"Bearer {write_token}"},
            references=[case.reference, sensitive_case.reference],
            mode=mode,
            seen=seen,
        )
    assert 4 in seen  # the fuzzing reached the validation
    if mode == GenerationMode.POSITIVE:
        assert 2 in seen  # and, with valid input, the endpoints themselves


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_open311_api_never_answers_500(wsgi_app, case, category, mode):
    schema = schemathesis.openapi.from_wsgi("/api/open311/v2/openapi.json", wsgi_app)
    for operation in _operations(schema):
        _fuzz(operation, headers={}, references=[], mode=mode, seen=set())
