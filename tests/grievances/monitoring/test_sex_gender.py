"""Sex/gender: an optional question on the lodge and intake forms, never required."""

import pytest

from grievances.models import Grievance
from tests.grievances.test_lodge import form_data


def test_the_lodge_form_asks_optionally_and_offers_prefer_not_to_say(client, category):
    body = client.get("/grievances/new/").content.decode()
    assert "Your sex or gender (optional)" in body
    assert "Prefer not to say" in body


@pytest.mark.parametrize(("given", "stored"), [("female", "female"), ("", "not_given"), ("nonsense", None)])
def test_lodging_stores_what_was_given_and_never_requires_it(client, category, given, stored):
    response = client.post("/grievances/new/", form_data(category, sex_gender=given))
    if stored is None:
        # An unknown choice is a form error like any other, never a crash.
        assert response.status_code == 200
        assert not Grievance.objects.exists()
        return
    assert response.status_code == 302
    assert Grievance.objects.get().sex_gender == stored


def test_lodging_without_the_field_at_all_is_fine(client, category):
    data = form_data(category)
    data.pop("sex_gender", None)
    assert client.post("/grievances/new/", data).status_code == 302
    assert Grievance.objects.get().sex_gender == Grievance.SexGender.NOT_GIVEN


def test_assisted_intake_records_it_when_the_person_says(staff_client, officer, category):
    client = staff_client(officer)
    assert "ask, never guess" in client.get("/workspace/intake/").content.decode()
    response = client.post(
        "/workspace/intake/",
        {
            "channel": "phone",
            "category": category.pk,
            "description": "Called the office.",
            "contact_preference": "none",
            "confidentiality": "standard",
            "sex_gender": "another",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Grievance.objects.get(recorded_by=officer).sex_gender == "another"
