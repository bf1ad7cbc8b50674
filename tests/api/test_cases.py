"""Reading and working cases through the API: the read gate, the services, the stale check."""

import pytest

from grievances.models import CaseEvent, Grievance
from grievances.submissions import LodgingSubmission
from grievances.workflow import Status
from tests.api.conftest import lodge
from tests.factories import HOSTILE


def test_it_lists_only_the_cases_of_the_tokens_agency(api, read_token, case, other_case):
    body = api.get("/api/v1/cases", token=read_token).json()
    assert [item["reference"] for item in body["items"]] == [case.reference]
    assert body["next_after"] is None


def test_it_pages_through_cases_with_after(api, read_token, category):
    references = [lodge(category).grievance.reference for _ in range(5)]
    seen, after = [], 0
    for _ in range(10):
        body = api.get("/api/v1/cases", token=read_token, limit=2, after=after).json()
        seen += [item["reference"] for item in body["items"]]
        if body["next_after"] is None:
            break
        after = body["next_after"]
    assert seen == references


def test_it_filters_cases_by_status(api, read_token, case):
    assert api.get("/api/v1/cases", token=read_token, status="closed").json()["items"] == []
    assert len(api.get("/api/v1/cases", token=read_token, status="acknowledged").json()["items"]) == 1


def test_it_shows_a_case_with_its_whole_timeline(api, read_token, case):
    body = api.get(f"/api/v1/cases/{case.reference}", token=read_token).json()
    assert body["reference"] == case.reference
    assert body["description"].endswith(HOSTILE)
    assert [e["kind"] for e in body["events"]] == ["lodged", "acknowledged"]
    assert body["identity"] == {
        "anonymous": True,
        "withheld": False,
        "name": "",
        "phone": "",
        "email": "",
        "member_name": "",
    }


def test_reading_a_case_is_written_to_its_access_log(api, read_token, case):
    from grievances.models import CaseAccess

    api.get(f"/api/v1/cases/{case.reference}", token=read_token)
    access = CaseAccess.objects.get(grievance=case)
    assert access.what == "api"
    assert access.user.api_token.name == "Dashboard"


def test_it_accepts_a_reference_as_people_type_it(api, read_token, case):
    typed = case.reference.lower().replace("-", " ")
    assert api.get(f"/api/v1/cases/{typed}", token=read_token).status_code == 200


def test_another_agencys_case_is_the_same_404_as_a_missing_one(api, read_token, other_case):
    forbidden = api.get(f"/api/v1/cases/{other_case.reference}", token=read_token)
    missing = api.get("/api/v1/cases/SU-2345-6789", token=read_token)
    nonsense = api.get("/api/v1/cases/whatever", token=read_token)
    assert forbidden.status_code == missing.status_code == nonsense.status_code == 404
    assert forbidden.content == missing.content == nonsense.content


def test_another_agency_cannot_act_on_the_case_and_learns_nothing(api, other_token, case):
    forbidden = api.post(f"/api/v1/cases/{case.reference}/messages", {"version": 1, "body": "hi"}, token=other_token)
    missing = api.post("/api/v1/cases/SU-2345-6789/messages", {"version": 1, "body": "hi"}, token=other_token)
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.content == missing.content
    assert not case.events.filter(kind=CaseEvent.Kind.MESSAGE_TO_COMPLAINANT).exists()


def test_sensitive_cases_reach_only_tokens_a_focal_point_made_sensitive(
    api, read_token, sensitive_token, sensitive_case, case
):
    assert api.get(f"/api/v1/cases/{sensitive_case.reference}", token=read_token).status_code == 404
    listed = [i["reference"] for i in api.get("/api/v1/cases", token=read_token).json()["items"]]
    assert listed == [case.reference]
    changes = api.get("/api/v1/changes", token=read_token).json()["items"]
    assert {c["case"] for c in changes} == {case.reference}

    assert api.get(f"/api/v1/cases/{sensitive_case.reference}", token=sensitive_token).status_code == 200
    listed = {i["reference"] for i in api.get("/api/v1/cases", token=sensitive_token).json()["items"]}
    assert listed == {case.reference, sensitive_case.reference}


def test_a_confidential_identity_is_withheld_from_tokens_that_are_not_focal_points(
    api, read_token, sensitive_token, category
):
    grievance = lodge(
        category,
        anonymous=False,
        contact_preference=Grievance.Contact.PHONE,
        contact_name="Malee",
        contact_phone="+66 81 234 5678",
        confidentiality=Grievance.Confidentiality.CONFIDENTIAL,
    ).grievance
    plain = api.get(f"/api/v1/cases/{grievance.reference}", token=read_token).json()
    assert plain["identity"]["withheld"] is True
    assert "Malee" not in str(plain) and "234 5678" not in str(plain)
    focal = api.get(f"/api/v1/cases/{grievance.reference}", token=sensitive_token).json()
    assert focal["identity"]["name"] == "Malee"


def test_a_write_token_messages_the_complainant_through_the_service(api, write_token, case):
    response = api.post(
        f"/api/v1/cases/{case.reference}/messages",
        {"version": case.version, "body": "We are on it."},
        token=write_token,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == case.version + 1
    event = case.events.get(kind=CaseEvent.Kind.MESSAGE_TO_COMPLAINANT)
    assert event.public and event.body == "We are on it."
    assert event.actor.api_token.name == "SMS gateway"
    assert event.actor_label == case.agency.name


def test_a_stale_version_is_refused_with_409(api, write_token, case):
    response = api.post(
        f"/api/v1/cases/{case.reference}/notes", {"version": case.version + 5, "body": "x"}, token=write_token
    )
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"


def test_an_action_the_state_does_not_allow_is_409(api, write_token, case):
    response = api.post(f"/api/v1/cases/{case.reference}/close", {"version": case.version}, token=write_token)
    assert response.status_code == 409
    assert response.json()["code"] == "action_refused"


def test_a_decision_needs_its_reasons_and_is_recorded(api, write_token, case):
    url = f"/api/v1/cases/{case.reference}/decision"
    missing = api.post(url, {"version": case.version, "decision": "upheld", "reasons": "Paid late."}, token=write_token)
    assert missing.status_code == 400
    assert any(error["loc"][-1] == "remedy" for error in missing.json()["errors"])
    response = api.post(
        url,
        {"version": case.version, "decision": "upheld", "reasons": "Paid late.", "remedy": "Paid today."},
        token=write_token,
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == Status.RESOLVED and case.decision == "upheld"


def test_internal_notes_are_marked_internal(api, write_token, case):
    api.post(
        f"/api/v1/cases/{case.reference}/notes", {"version": case.version, "body": "Call the bank."}, token=write_token
    )
    events = api.get(f"/api/v1/cases/{case.reference}", token=write_token).json()["events"]
    note = next(e for e in events if e["kind"] == "note")
    assert note["internal"] is True
    assert all(e["internal"] is False for e in events if e["kind"] != "note")


def test_changes_page_through_events_with_a_cursor(api, write_token, case, other_case):
    first = api.get("/api/v1/changes", token=write_token, limit=1).json()
    assert [e["kind"] for e in first["items"]] == ["lodged"]
    second = api.get("/api/v1/changes", token=write_token, after=first["cursor"]).json()
    assert [e["kind"] for e in second["items"]] == ["acknowledged"]
    assert {e["case"] for e in first["items"] + second["items"]} == {case.reference}
    idle = api.get("/api/v1/changes", token=write_token, after=second["cursor"]).json()
    assert idle == {"items": [], "cursor": second["cursor"]}
    api.post(f"/api/v1/cases/{case.reference}/start", {"version": case.version}, token=write_token)
    later = api.get("/api/v1/changes", token=write_token, after=second["cursor"]).json()
    assert [e["kind"] for e in later["items"]] == ["status_changed"]
    assert later["cursor"] > second["cursor"]


def test_a_grievance_from_a_call_centre_is_lodged_as_assisted_intake(api, write_token, category, mailoutbox):
    response = api.post(
        "/api/v1/grievances",
        {
            "category": category.pk,
            "description": f"Called the hotline. {HOSTILE}",
            "channel": "phone",
            "contact_preference": "phone",
            "contact_name": "Somchai",
            "contact_phone": "+66 81 000 0000",
        },
        token=write_token,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    grievance = Grievance.objects.get(reference=body["reference"])
    assert grievance.channel == Grievance.Channel.PHONE
    assert grievance.recorded_by.api_token.name == "SMS gateway"
    assert len(body["pin"]) >= 6
    assert grievance.pin_hash != body["pin"]
    # The token's agency sees the case it recorded.
    assert api.get(f"/api/v1/cases/{body['reference']}", token=write_token).status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {"category": 999999, "description": "x"},
        {"description": "x"},
        {"category": 1, "description": ""},
        {"category": 1, "description": "x", "channel": "web"},
        {"category": 1, "description": "x", "contact_preference": "phone"},
    ],
)
def test_lodging_with_missing_or_wrong_fields_is_400(api, write_token, category, data):
    if data.get("category") == 1:
        data["category"] = category.pk
    response = api.post("/api/v1/grievances", data, token=write_token)
    assert response.status_code == 400
    assert response.json()["code"] in {"invalid", "invalid_request"}


# --- every endpoint × every persona ---------------------------------------------------------

ENDPOINTS = [
    ("get", "/api/v1/token", None),
    ("get", "/api/v1/categories", None),
    ("get", "/api/v1/cases", None),
    ("get", "/api/v1/cases/{ref}", None),
    ("get", "/api/v1/changes", None),
    ("post", "/api/v1/cases/{ref}/acknowledge", {"version": "{v}"}),
    ("post", "/api/v1/cases/{ref}/start", {"version": "{v}"}),
    ("post", "/api/v1/cases/{ref}/notes", {"version": "{v}", "body": "n"}),
    ("post", "/api/v1/cases/{ref}/messages", {"version": "{v}", "body": "m"}),
    ("post", "/api/v1/cases/{ref}/information-requests", {"version": "{v}", "body": "q"}),
    ("post", "/api/v1/cases/{ref}/decision", {"version": "{v}", "decision": "not_upheld", "reasons": "r"}),
    ("post", "/api/v1/cases/{ref}/close", {"version": "{v}"}),
    ("post", "/api/v1/cases/{ref}/referral/accept", {"version": "{v}"}),
    ("post", "/api/v1/cases/{ref}/referral/return", {"version": "{v}", "reasons": "r"}),
    ("post", "/api/v1/grievances", {"category": "{cat}", "description": "d"}),
]

# persona → expected status for (a read endpoint, a case action, lodging), on the agency's case.
# Case actions that the state does not allow answer 409; allowed ones 200.
PERSONAS = {
    "nobody": (401, {401}, 401),
    "revoked": (401, {401}, 401),
    "read": (200, {403}, 403),
    "write": (200, {200, 409}, 201),
    "other_agency": (200, {404}, 201),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "path", "data"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in ENDPOINTS])
def test_every_endpoint_for_every_persona(
    api, persona, method, path, data, case, category, agency, supervisor, other_token
):
    from grievances.api.models import ApiToken
    from grievances.api.services import api_token_create, api_token_revoke

    tokens = {
        "nobody": None,
        "read": api_token_create(organization=agency, user=supervisor, name="r", scope="read").secret,
        "write": api_token_create(organization=agency, user=supervisor, name="w", scope="read_write").secret,
        "other_agency": other_token,
    }
    issued = api_token_create(organization=agency, user=supervisor, name="gone", scope="read_write")
    api_token_revoke(token=ApiToken.objects.get(pk=issued.token.pk), user=supervisor)
    tokens["revoked"] = issued.secret
    token = tokens[persona]
    url = path.format(ref=case.reference)
    if method == "get":
        response = api.get(url, token=token)
        expected = PERSONAS[persona][0]
        if persona == "other_agency" and "{ref}" in path:
            expected = 404
        assert response.status_code == expected, response.content
        if persona == "other_agency" and path == "/api/v1/cases":
            assert response.json()["items"] == []
        return
    body = {k: case.version if v == "{v}" else category.pk if v == "{cat}" else v for k, v in data.items()}
    response = api.post(url, body, token=token)
    _read_status, action_statuses, lodge_status = PERSONAS[persona]
    if path == "/api/v1/grievances":
        assert response.status_code == lodge_status, response.content
    else:
        assert response.status_code in action_statuses, response.content
    assert set(response.json()) >= ({"code", "message"} if response.status_code >= 400 else set())


@pytest.mark.parametrize("path", ["/api/v1/cases", "/api/v1/changes", "/api/v1/categories"])
def test_lists_cost_the_same_number_of_queries_whatever_their_length(api, read_token, category, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lodge(category)
    api.get(path, token=read_token)  # the token's first use writes last_used_at
    with CaptureQueriesContext(connection) as few:
        assert api.get(path, token=read_token).status_code == 200
    for _ in range(6):
        lodge(category)
    with CaptureQueriesContext(connection) as many:
        assert api.get(path, token=read_token).status_code == 200
    assert len(many) == len(few) <= 4


def test_a_referral_moves_sight_and_action_as_in_the_workspace(api, write_token, other_token, case, other_agency):
    from grievances import services
    from tests.factories import MembershipFactory

    officer = MembershipFactory(organization=case.agency, role="case_officer").user
    services.grievance_refer(
        grievance=case, user=officer, to_agency=other_agency, reasons="Wages are theirs.", version=case.version
    )
    case.refresh_from_db()
    # The receiving agency sees the case and may take it over.
    assert api.get(f"/api/v1/cases/{case.reference}", token=other_token).status_code == 200
    # The referring agency still reads it but cannot act while the referral is pending.
    refused = api.post(
        f"/api/v1/cases/{case.reference}/messages", {"version": case.version, "body": "x"}, token=write_token
    )
    assert refused.status_code == 409
    accepted = api.post(f"/api/v1/cases/{case.reference}/referral/accept", {"version": case.version}, token=other_token)
    assert accepted.status_code == 200, accepted.content
    case.refresh_from_db()
    assert case.agency == other_agency
    assert api.get(f"/api/v1/cases/{case.reference}", token=write_token).status_code == 200  # read-only sight kept
    refused = api.post(
        f"/api/v1/cases/{case.reference}/notes", {"version": case.version, "body": "x"}, token=write_token
    )
    assert refused.status_code == 409


def _lodge_with_key(api, token, key, category, description="Called the hotline."):
    return api.client.post(
        "/api/v1/grievances",
        {"category": category.pk, "description": description, "channel": "phone", "contact_preference": "none"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
    )


def test_a_retried_lodging_with_the_same_idempotency_key_returns_its_first_case(
    api, write_token, other_token, category
):
    first = _lodge_with_key(api, write_token, "call-77", category)
    again = _lodge_with_key(api, write_token, "call-77", category)
    assert first.status_code == again.status_code == 201
    assert again.json()["reference"] == first.json()["reference"]
    assert again.json()["replayed"] is True and again.json()["pin"] is None
    assert Grievance.objects.count() == 1
    # Only a keyed hash of the key is kept.
    assert "call-77" not in str(list(LodgingSubmission.objects.values()))
    # Another token's key is its own, even when spelled the same.
    assert _lodge_with_key(api, other_token, "call-77", category).status_code == 201
    assert Grievance.objects.count() == 2


def test_the_same_idempotency_key_with_a_different_body_is_refused_with_409(api, write_token, category):
    assert _lodge_with_key(api, write_token, "call-78", category).status_code == 201
    response = _lodge_with_key(api, write_token, "call-78", category, description="Something else")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert "different request" in response.json()["message"]
    assert Grievance.objects.count() == 1
    assert _lodge_with_key(api, write_token, "x" * 201, category).status_code == 400


def test_a_message_through_the_api_carries_the_language_it_is_written_in(api, write_token, case):
    refused = api.post(
        f"/api/v1/cases/{case.reference}/messages",
        {"version": case.version, "body": "Xin chào", "language": "klingon"},
        token=write_token,
    )
    assert refused.status_code == 400 and "language" in refused.json()["fields"]
    response = api.post(
        f"/api/v1/cases/{case.reference}/messages",
        {"version": case.version, "body": "Xin chào", "language": "vi"},
        token=write_token,
    )
    assert response.status_code == 200, response.content
    assert case.events.get(body="Xin chào").payload["language"] == "vi"
