"""The Open311 GeoReport v2 subset: services are categories, requests show their public status only."""

from grievances.api.open311 import request_id
from grievances.models import Grievance
from tests.factories import HOSTILE

BASE = "/api/open311/v2"


def test_services_are_the_categories_people_can_choose(client, category, sensitive_category):
    category.parent.active = True
    services = client.get(f"{BASE}/services.json").json()
    codes = {s["service_code"]: s for s in services}
    assert codes[str(category.pk)]["service_name"] == "Payment not received"
    assert codes[str(category.pk)]["group"] == "Payments"
    assert str(category.parent_id) not in codes  # themes are groups, not services
    definition = client.get(f"{BASE}/services/{category.pk}.json").json()
    assert definition == {"service_code": str(category.pk), "attributes": []}
    assert client.get(f"{BASE}/services/999999.json").status_code == 404


def test_a_civic_app_submits_and_follows_a_request(client, category):
    response = client.post(
        f"{BASE}/requests.json",
        {"service_code": str(category.pk), "description": f"No payment {HOSTILE}", "email": "malee@example.org"},
    )
    assert response.status_code == 201, response.content
    [submitted] = response.json()
    grievance = Grievance.objects.get(reference=submitted["reference"])
    assert grievance.contact_email == "malee@example.org"
    assert submitted["service_request_id"] == request_id(grievance)

    [followed] = client.get(f"{BASE}/requests/{submitted['service_request_id']}.json").json()
    assert followed["status"] == "open"
    assert followed["status_notes"] == "Acknowledged"
    assert followed["agency_responsible"] == grievance.agency.name
    # Public status only: never the complaint's text or who made it.
    assert "No payment" not in str(followed) and "malee" not in str(followed)

    listed = client.get(f"{BASE}/requests.json", {"service_request_id": submitted["service_request_id"]}).json()
    assert [r["service_request_id"] for r in listed] == [submitted["service_request_id"]]


def test_a_request_without_contact_details_is_anonymous(client, category):
    response = client.post(f"{BASE}/requests.json", {"service_code": str(category.pk), "description": "x"})
    [submitted] = response.json()
    assert Grievance.objects.get(reference=submitted["reference"]).anonymous


def test_a_guessed_or_altered_request_id_is_not_found_like_a_missing_one(client, category):
    grievance = Grievance.objects.get(
        reference=client.post(f"{BASE}/requests.json", {"service_code": str(category.pk), "description": "x"}).json()[
            0
        ]["reference"]
    )
    altered = request_id(grievance)[:-1] + ("0" if not request_id(grievance).endswith("0") else "1")
    responses = [
        client.get(f"{BASE}/requests/{grievance.reference}.json"),
        client.get(f"{BASE}/requests/{altered}.json"),
        client.get(f"{BASE}/requests/SU-2345-6789.{'0' * 32}.json"),
    ]
    assert {r.status_code for r in responses} == {404}
    assert len({r.content for r in responses}) == 1
    assert client.get(f"{BASE}/requests.json", {"service_request_id": altered}).json() == []


def test_errors_follow_open311(client, category):
    response = client.post(f"{BASE}/requests.json", {"service_code": "nope", "description": "x"})
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400 and error["description"]
    assert client.post(f"{BASE}/requests.json", {"service_code": str(category.pk)}).status_code == 400
    assert client.get(f"{BASE}/requests.json").status_code == 400


def test_submissions_are_limited_per_address(client, category):
    for _ in range(10):
        client.post(f"{BASE}/requests.json", {"service_code": str(category.pk), "description": "x"})
    response = client.post(f"{BASE}/requests.json", {"service_code": str(category.pk), "description": "x"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_a_retried_request_with_the_same_idempotency_key_lodges_once(client, category):
    data = {"service_code": str(category.pk), "description": "Pothole in the payment office"}
    headers = {"Idempotency-Key": "app-1"}
    first = client.post(f"{BASE}/requests.json", data, headers=headers)
    again = client.post(f"{BASE}/requests.json", data, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()[0]["reference"] == first.json()[0]["reference"] and again.json()[0]["pin"] is None
    assert Grievance.objects.count() == 1
    changed = client.post(f"{BASE}/requests.json", {**data, "description": "Another"}, headers=headers)
    assert changed.status_code == 409
    assert "different request" in changed.json()[0]["description"]
    assert Grievance.objects.count() == 1


def test_an_xml_address_gets_an_open311_error_in_xml_without_token_talk(client, db):
    response = client.get(f"{BASE}/services.xml")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/xml")
    body = response.content.decode()
    assert "<errors><error><code>404</code>" in body and "services.json" in body
    assert "token" not in body.lower()


def test_an_unknown_open311_address_gets_an_open311_shaped_error(client, db):
    response = client.get(f"{BASE}/nothing-here")
    assert response.status_code == 404
    assert response.json() == [{"code": 404, "description": response.json()[0]["description"]}]
    assert "token" not in response.json()[0]["description"].lower()
