"""The complainant's data, to take away: /my/data/ (JSON, PDF) and one case's export with reference + PIN."""

import json

from grievances.models import Grievance
from grievances.services import grievance_lodge

PHONE = "+66 81 234 5678"


def lodge_for(user, category):
    return grievance_lodge(
        category=category,
        description="My payment is late",
        contact_preference=Grievance.Contact.PHONE,
        contact_name="Somchai",
        contact_phone=PHONE,
        complainant=user,
    )


def test_my_data_lists_the_account_and_each_case_with_contact_data_and_public_timeline(client, beneficiary, category):
    lodged = lodge_for(beneficiary, category)
    client.force_login(beneficiary)
    response = client.get("/my/data/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert data["account"][0]["email"] == beneficiary.email
    case = data["grievances"][0]
    assert case["reference"] == lodged.grievance.reference and case["phone"] == PHONE
    assert case["description"] == "My payment is late" and case["timeline"]


def test_my_data_as_pdf_is_a_pdf(client, beneficiary, category):
    lodge_for(beneficiary, category)
    client.force_login(beneficiary)
    response = client.get("/my/data.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_my_data_needs_a_sign_in_and_shows_nobody_else_s_cases(client, beneficiary, category, django_user_model):
    assert client.get("/my/data/").status_code == 302
    lodge_for(beneficiary, category)
    stranger = django_user_model.objects.create_user("stranger@example.org", "a-long-password-1")
    client.force_login(stranger)
    assert json.loads(client.get("/my/data/").content)["grievances"] == []


def test_a_case_export_opens_with_reference_and_pin_and_is_404_for_anyone_else(client, category):
    lodged = grievance_lodge(
        category=category, description="Late", contact_preference=Grievance.Contact.PHONE, contact_phone=PHONE
    )
    url = f"/grievances/{lodged.grievance.reference}/data/"
    assert client.get(url).status_code == 404
    client.post("/grievances/track/", {"reference": lodged.grievance.reference, "pin": "00000000"})
    assert client.get(url).status_code == 404  # a wrong PIN earns nothing
    client.post("/grievances/track/", {"reference": lodged.grievance.reference, "pin": lodged.pin})
    response = client.get(url)
    assert response.status_code == 200
    assert json.loads(response.content)["grievances"][0]["phone"] == PHONE
    assert client.get(f"/grievances/{lodged.grievance.reference}/data.pdf").content.startswith(b"%PDF")


# --- correcting contact details ----------------------------------------------------------


def tracked(client, lodged):
    client.post("/grievances/track/", {"reference": lodged.grievance.reference, "pin": lodged.pin})
    return client


def test_the_complainant_corrects_their_phone_and_the_timeline_says_so_without_the_number(client, category):
    from grievances.models import CaseEvent

    lodged = grievance_lodge(
        category=category, description="Late", contact_preference=Grievance.Contact.PHONE, contact_phone=PHONE
    )
    url = f"/grievances/{lodged.grievance.reference}/contact/"
    assert client.get(url).status_code == 404  # without the PIN
    response = tracked(client, lodged).post(url, {"contact_name": "", "contact_phone": "+66 89 999 8888"})
    assert response.status_code == 302
    grievance = Grievance.objects.get(pk=lodged.grievance.pk)
    assert grievance.contact_phone == "+66 89 999 8888"
    event = grievance.events.get(kind=CaseEvent.Kind.CONTACT_CHANGED)
    assert event.public and event.payload == {"fields": ["contact_phone"]} and "8888" not in event.body


def test_a_phone_contact_cannot_be_emptied_and_the_form_keeps_what_was_typed(client, category):
    lodged = grievance_lodge(
        category=category, description="Late", contact_preference=Grievance.Contact.PHONE, contact_phone=PHONE
    )
    url = f"/grievances/{lodged.grievance.reference}/contact/"
    response = tracked(client, lodged).post(url, {"contact_name": "Somchai", "contact_phone": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please give a phone number" in html and 'value="Somchai"' in html
    assert Grievance.objects.get(pk=lodged.grievance.pk).contact_phone == PHONE
