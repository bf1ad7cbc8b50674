"""Authentication, scopes, errors as JSON, rate limits and the docs page."""

import pytest

from grievances.api.models import ApiToken, token_hash
from grievances.api.services import api_token_revoke

WRITE_ENDPOINTS = [
    ("acknowledge", {"version": 1}),
    ("start", {"version": 1}),
    ("notes", {"version": 1, "body": "note"}),
    ("messages", {"version": 1, "body": "hello"}),
    ("information-requests", {"version": 1, "body": "which wallet?"}),
    ("decision", {"version": 1, "decision": "not_upheld", "reasons": "because"}),
    ("close", {"version": 1}),
    ("referral/accept", {"version": 1}),
    ("referral/return", {"version": 1, "reasons": "not ours"}),
]


def test_it_refuses_a_request_without_a_token(api):
    response = api.get("/api/v1/cases")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "secret",
    ["nonsense", "suara_000000000000_" + "x" * 43, "suara__", "Bearer", "suara_" + "\u0e17" * 12 + "_x"],
)
def test_it_refuses_an_unknown_or_malformed_token(api, read_token, secret):
    response = api.get("/api/v1/cases", token=secret)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_it_refuses_a_token_with_the_right_prefix_and_a_wrong_secret(api, read_token):
    forged = read_token[:-4] + ("AAAA" if not read_token.endswith("AAAA") else "BBBB")
    assert api.get("/api/v1/cases", token=forged).status_code == 401


def test_it_refuses_a_revoked_token(api, read_token, supervisor):
    assert api.get("/api/v1/token", token=read_token).status_code == 200
    token = ApiToken.objects.get(secret_hash=token_hash(read_token))
    api_token_revoke(token=token, user=supervisor)
    response = api.get("/api/v1/token", token=read_token)
    assert response.status_code == 401
    assert response.json() == {
        "code": "unauthorized",
        "message": "A valid API token is needed: send it as “Authorization: Bearer <token>”.",
    }


def test_it_stores_only_a_hash_of_the_token(read_token):
    token = ApiToken.objects.get()
    assert read_token not in {token.prefix, token.secret_hash, token.name}
    assert token.secret_hash == token_hash(read_token)
    assert read_token.startswith(f"suara_{token.prefix}_")


def test_it_says_who_the_token_is(api, read_token, agency):
    body = api.get("/api/v1/token", token=read_token).json()
    assert body["scope"] == "read"
    assert body["organization"]["slug"] == agency.slug


def test_it_records_when_a_token_was_last_used(api, read_token):
    assert ApiToken.objects.get().last_used_at is None
    api.get("/api/v1/token", token=read_token)
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize(("action", "data"), WRITE_ENDPOINTS)
def test_a_read_token_cannot_write(api, read_token, case, action, data):
    response = api.post(f"/api/v1/cases/{case.reference}/{action}", data, token=read_token)
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert case.events.count() == 2  # lodged and acknowledged, nothing more


def test_a_read_token_cannot_lodge(api, read_token, category):
    response = api.post("/api/v1/grievances", {"category": category.pk, "description": "x"}, token=read_token)
    assert response.status_code == 403


def test_a_read_token_gets_the_same_403_for_a_case_that_does_not_exist(api, read_token):
    response = api.post("/api/v1/cases/SU-2345-6789/notes", {"version": 1, "body": "x"}, token=read_token)
    assert response.status_code == 403


def test_it_answers_an_invalid_body_with_400_and_the_fields(api, write_token, case):
    response = api.post(f"/api/v1/cases/{case.reference}/messages", {"version": "one"}, token=write_token)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_request"
    assert {tuple(e["loc"])[-1] for e in body["errors"]} >= {"version", "body"}


def test_it_answers_broken_json_with_400(api, write_token, case):
    response = api.client.post(
        f"/api/v1/cases/{case.reference}/messages",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {write_token}"},
    )
    assert response.status_code == 400
    assert "code" in response.json()


def test_an_unknown_address_under_the_api_is_a_json_404(api, read_token):
    response = api.get("/api/v1/no-such-thing", token=read_token)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert api.get("/api/nothing").json()["code"] == "not_found"


def test_it_limits_requests_per_token(api, read_token, other_token, settings):
    settings.SUARA_API_RATE_LIMIT_PER_MINUTE = 3
    for _ in range(3):
        assert api.get("/api/v1/token", token=read_token).status_code == 200
    response = api.get("/api/v1/token", token=read_token)
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60
    # Another token has its own allowance.
    assert api.get("/api/v1/token", token=other_token).status_code == 200


def test_api_responses_are_never_stored(api, read_token):
    assert "no-store" in api.get("/api/v1/token", token=read_token)["Cache-Control"]


def test_the_openapi_document_is_public_and_names_the_bearer_scheme(api):
    schema = api.get("/api/v1/openapi.json").json()
    assert "/api/v1/cases/{reference}" in schema["paths"]
    assert any(s.get("scheme") == "bearer" for s in schema["components"]["securitySchemes"].values())


def test_the_docs_load_only_our_own_files_under_a_strict_policy(api):
    response = api.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-eval" not in policy
    assert "script-src 'self' 'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
