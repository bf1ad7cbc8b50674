"""The person's language through the API and Open311: recorded, refused when not offered, and spoken back."""

import pytest

from grievances.models import Grievance
from tests.languages import thirteen_languages

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("thirteen")]

OPEN311 = "/api/open311/v2"


@pytest.fixture
def thirteen():
    with thirteen_languages():
        yield


def test_the_api_records_the_language_a_call_centre_gives(api, write_token, category):
    response = api.post(
        "/api/v1/grievances",
        {"category": category.pk, "description": "โทรมาแจ้งว่าเงินไม่เข้า", "language": "th"},
        token=write_token,
    )
    assert response.status_code == 201, response.content
    grievance = Grievance.objects.get(reference=response.json()["reference"])
    assert grievance.language == "th" and grievance.lodged_language == "th"
    detail = api.get(f"/api/v1/cases/{grievance.reference}", token=write_token).json()
    assert detail["language"] == "th"


def test_the_api_without_a_language_records_the_default_one(api, write_token, category):
    response = api.post("/api/v1/grievances", {"category": category.pk, "description": "x"}, token=write_token)
    assert Grievance.objects.get(reference=response.json()["reference"]).language == "en"


@pytest.mark.parametrize("language", ["xx", "klingon", "TH-th-x"])
def test_the_api_refuses_a_language_the_portal_does_not_offer(api, write_token, category, language):
    response = api.post(
        "/api/v1/grievances",
        {"category": category.pk, "description": "x", "language": language},
        token=write_token,
    )
    assert response.status_code == 400
    assert "language" in response.content.decode()
    assert not Grievance.objects.exists()


def test_the_api_document_describes_the_language_field(client):
    document = client.get("/api/v1/openapi.json").json()
    lodge = document["components"]["schemas"]["LodgeIn"]["properties"]["language"]
    assert "400" in lodge["description"] and "`th`" in lodge["description"]
    open311 = client.get(f"{OPEN311}/openapi.json").json()
    assert "language" in str(open311["paths"][f"{OPEN311}/requests.json"]["post"])


def test_open311_records_the_language_and_answers_in_it(client, category, agency):
    agency.names = {"vi": "Văn phòng An sinh Xã hội"}
    agency.save()
    response = client.post(
        f"{OPEN311}/requests.json",
        {"service_code": str(category.pk), "description": "Tôi chưa nhận được tiền", "language": "vi"},
    )
    assert response.status_code == 201, response.content
    [submitted] = response.json()
    grievance = Grievance.objects.get(reference=submitted["reference"])
    assert grievance.language == "vi"
    # The notice the app shows the person names the agency in their language.
    assert "Văn phòng An sinh Xã hội" in submitted["service_notice"]


def test_open311_without_a_language_takes_the_requests_language(client, category):
    response = client.post(
        f"{OPEN311}/requests.json",
        {"service_code": str(category.pk), "description": "x"},
        headers={"Accept-Language": "th"},
    )
    assert response.status_code == 201, response.content
    assert Grievance.objects.get().language == "th"


def test_open311_refuses_a_language_the_portal_does_not_offer(client, category):
    response = client.post(
        f"{OPEN311}/requests.json", {"service_code": str(category.pk), "description": "x", "language": "xx"}
    )
    assert response.status_code == 400
    assert "language" in response.content.decode()
    assert not Grievance.objects.exists()


def test_open311_services_are_named_in_the_requests_language_with_a_fallback(client, category):
    category.names = {"th": "ไม่ได้รับเงิน"}
    category.save()
    [thai] = client.get(f"{OPEN311}/services.json", headers={"Accept-Language": "th"}).json()
    assert thai["service_name"] == "ไม่ได้รับเงิน"
    [vietnamese] = client.get(f"{OPEN311}/services.json", headers={"Accept-Language": "vi"}).json()
    assert vietnamese["service_name"] == "Payment not received"
