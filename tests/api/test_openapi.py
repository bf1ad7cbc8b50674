"""The OpenAPI documents say what the servers do: what a document allows is accepted, what the server refuses
the document refuses too (or says in words where a schema cannot)."""

import pytest

from grievances.models import Category


@pytest.fixture
def v1_document(client, db):
    return client.get("/api/v1/openapi.json").json()


@pytest.fixture
def open311_document(client, db):
    return client.get("/api/open311/v2/openapi.json").json()


def _component(document, ref):
    return document["components"]["schemas"][ref.rsplit("/", 1)[-1]]


@pytest.mark.parametrize("number", ["0.5", "1700000000", "-1"])
def test_updated_since_refuses_a_unix_time_as_its_date_time_format_says(api, read_token, case, number):
    response = api.get("/api/v1/cases", token=read_token, updated_since=number)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"
    assert "2026-05-01T09:30:00Z" in response.json()["errors"][0]["message"]


def test_updated_since_refuses_a_date_without_a_time(api, read_token, case):
    assert api.get("/api/v1/cases", token=read_token, updated_since="2020-01-01").status_code == 400


@pytest.mark.parametrize("offset", ["+23:54", "-23:59", "Z", "+05:30"])
def test_updated_since_with_any_offset_the_format_allows_is_answered(api, read_token, case, offset):
    response = api.get("/api/v1/cases", token=read_token, updated_since=f"2000-10-30T18:11:19.0104{offset}")
    assert response.status_code == 200
    assert [item["reference"] for item in response.json()["items"]] == [case.reference]


def test_updated_since_at_the_edge_of_the_calendar_is_a_400_not_a_crash(api, read_token, case):
    response = api.get("/api/v1/cases", token=read_token, updated_since="0001-01-01T00:00:00+01:00")
    assert response.status_code == 400
    assert "out of range" in response.json()["errors"][0]["message"]


def test_the_document_requires_a_remedy_exactly_when_the_decision_upholds(v1_document):
    body = v1_document["paths"]["/api/v1/cases/{reference}/decision"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    shapes = {ref: _component(v1_document, ref) for ref in schema["discriminator"]["mapping"].values()}
    needs_remedy = {
        decision
        for decision, ref in schema["discriminator"]["mapping"].items()
        if "remedy" in shapes[ref]["required"] and shapes[ref]["properties"]["remedy"]["minLength"] == 1
    }
    assert needs_remedy == {"upheld", "partly_upheld"}
    assert set(schema["discriminator"]["mapping"]) == {"upheld", "partly_upheld", "not_upheld", "out_of_scope"}


@pytest.mark.parametrize("remedy", [None, "", "  \u00a0\u3000"])
def test_an_upheld_decision_without_a_remedy_is_refused_naming_the_remedy(api, write_token, case, remedy):
    data = {"version": case.version, "decision": "partly_upheld", "reasons": "Paid late."}
    if remedy is not None:
        data["remedy"] = remedy
    response = api.post(f"/api/v1/cases/{case.reference}/decision", data, token=write_token)
    assert response.status_code == 400
    assert any(error["loc"][-1] == "remedy" for error in response.json()["errors"])
    case.refresh_from_db()
    assert case.decision == ""


def test_a_decision_that_does_not_uphold_needs_no_remedy(api, write_token, case):
    api.post(f"/api/v1/cases/{case.reference}/acknowledge", {"version": case.version}, token=write_token)
    case.refresh_from_db()
    data = {"version": case.version, "decision": "not_upheld", "reasons": "Paid on time."}
    response = api.post(f"/api/v1/cases/{case.reference}/decision", data, token=write_token)
    assert response.status_code == 200, response.json()


def test_the_document_says_category_is_a_category_to_lodge_under_not_a_theme(v1_document):
    category = _component(v1_document, "LodgeIn")["properties"]["category"]
    assert "/api/v1/categories" in category["description"]
    assert "theme" in category["description"]


def test_lodging_under_a_theme_is_refused_as_the_document_says(api, write_token, category):
    theme = Category.objects.get(pk=category.parent_id)
    response = api.post("/api/v1/grievances", {"category": theme.pk, "description": "No pay."}, token=write_token)
    assert response.status_code == 400
    assert "/api/v1/categories" in response.json()["fields"]["category"][0]


def test_the_open311_document_requires_a_service_request_id(open311_document):
    (parameter,) = open311_document["paths"]["/api/open311/v2/requests.json"]["get"]["parameters"]
    assert parameter["name"] == "service_request_id"
    assert parameter["required"] is True
    assert parameter["schema"]["minLength"] == 1


@pytest.mark.parametrize("query", ["", "?service_request_id="])
def test_open311_requests_without_an_id_are_refused_in_open311_words(client, db, query):
    response = client.get(f"/api/open311/v2/requests.json{query}")
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": "Missing or invalid: service_request_id"}]


def test_open311_ids_that_are_only_commas_find_nothing(client, db):
    response = client.get("/api/open311/v2/requests.json?service_request_id=,%20,")
    assert response.status_code == 200
    assert response.json() == []
