"""Tracking with reference + PIN: one generic answer, locks that the right PIN cannot lift."""

import pytest
from django.test import Client

from grievances import access
from grievances.models import Grievance
from grievances.services import grievance_lodge
from tests.grievances.test_lodge import form_data

pytestmark = pytest.mark.django_db

GENERIC = "That reference and PIN do not match"


def track(client, reference, pin, address="192.0.2.10"):
    return client.post("/grievances/track/", {"reference": reference, "pin": pin}, REMOTE_ADDR=address)


@pytest.mark.smoke
def test_the_right_reference_and_pin_open_the_case(client, lodged):
    response = track(client, lodged.grievance.reference.lower().replace("-", " "), lodged.pin)
    assert response.status_code == 302 and response["Location"] == lodged.grievance.get_absolute_url()
    page = client.get(response["Location"])
    assert page.status_code == 200 and lodged.grievance.reference in page.content.decode()


@pytest.mark.smoke
def test_the_reference_alone_opens_nothing(client, lodged):
    assert client.get(lodged.grievance.get_absolute_url()).status_code == 404
    # Nor does a PIN in the address: tracking takes POST only, and GET shows an empty form.
    url = f"/grievances/track/?reference={lodged.grievance.reference}&pin={lodged.pin}"
    assert client.get(url).status_code == 200
    assert client.get(lodged.grievance.get_absolute_url()).status_code == 404


def test_a_wrong_pin_and_an_unknown_reference_get_the_same_answer(client, lodged):
    wrong_pin = track(client, lodged.grievance.reference, "000000" if lodged.pin != "000000" else "111111")
    unknown = track(client, "SU-2345-6789", lodged.pin)
    malformed = track(client, "nonsense", lodged.pin)
    for response in (wrong_pin, unknown, malformed):
        assert response.status_code == 200 and GENERIC in response.content.decode()


def test_five_wrong_pins_lock_the_reference_and_the_right_pin_does_not_bypass_it(client, lodged):
    for _ in range(5):
        assert track(client, lodged.grievance.reference, "999999", address="192.0.2.1").status_code == 200
    response = track(client, lodged.grievance.reference, lodged.pin, address="192.0.2.99")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 3000
    assert "try again after" in response.content.decode()
    assert client.get(lodged.grievance.get_absolute_url()).status_code == 404


def test_twenty_failures_from_one_address_lock_that_address(client, category, lodged):
    for i in range(20):
        track(client, f"SU-2345-{i:04d}", "123456", address="192.0.2.50")
    assert track(client, lodged.grievance.reference, lodged.pin, address="192.0.2.50").status_code == 429
    # Someone else, elsewhere, still gets in.
    assert track(client, lodged.grievance.reference, lodged.pin, address="192.0.2.51").status_code == 302


def test_access_to_one_case_does_not_open_another(client, category, lodged):
    other = grievance_lodge(category=category, description="other", contact_preference="none", anonymous=True)
    track(client, lodged.grievance.reference, lodged.pin)
    assert client.get(lodged.grievance.get_absolute_url()).status_code == 200
    assert client.get(other.grievance.get_absolute_url()).status_code == 404


def test_access_earned_with_a_pin_expires(client, lodged, monkeypatch):
    track(client, lodged.grievance.reference, lodged.pin)
    monkeypatch.setattr(access, "MAX_AGE_SECONDS", -1)
    assert client.get(lodged.grievance.get_absolute_url()).status_code == 404


def test_a_new_pin_ends_access_earned_with_the_old_one(client, lodged):
    from grievances.models import Grievance
    from grievances.pins import hash_pin

    track(client, lodged.grievance.reference, lodged.pin)
    Grievance.objects.filter(pk=lodged.grievance.pk).update(pin_hash=hash_pin("135790"))
    assert client.get(lodged.grievance.get_absolute_url()).status_code == 404


def test_another_signed_in_person_gets_404_not_403(client, lodged, beneficiary):
    client.force_login(beneficiary)
    assert client.get(lodged.grievance.get_absolute_url()).status_code == 404


def test_an_attacker_who_keeps_failing_cannot_lock_the_owner_out(client, lodged):
    reference = lodged.grievance.reference
    owner = Client()
    assert track(owner, reference, lodged.pin, address="198.51.100.7").status_code == 302
    owner.session.flush()  # the owner comes back days later: the capability has expired, the pass has not
    for round_ in range(3):
        for i in range(5):
            track(
                client, reference, f"{i:06d}" if f"{i:06d}" != lodged.pin else "999999", address=f"203.0.113.{round_}"
            )
        assert track(client, reference, lodged.pin, address="203.0.113.99").status_code == 429
        response = track(owner, reference, lodged.pin, address="198.51.100.7")
        assert response.status_code == 302 and response["Location"] == lodged.grievance.get_absolute_url()
        assert owner.get(response["Location"]).status_code == 200


def test_a_browser_that_lodged_a_case_gets_past_the_lock_on_it(client, category):
    owner = Client()
    response = owner.post("/grievances/new/", form_data(category))
    assert response.status_code == 302
    reference = Grievance.objects.get().reference
    for i in range(6):
        track(client, reference, f"{i:06d}", address="203.0.113.5")
    assert track(client, reference, "123456", address="203.0.113.6").status_code == 429
    assert track(owner, reference, "000000", address="203.0.113.5").status_code == 200  # judged, not locked


def test_a_track_pass_is_not_a_key_and_has_its_own_lock(client, lodged):
    reference = lodged.grievance.reference
    owner = Client()
    assert track(owner, reference, lodged.pin).status_code == 302
    owner.session.flush()
    wrong = "999999" if lodged.pin != "999999" else "888888"
    for _ in range(5):
        assert track(owner, reference, wrong).status_code == 200
    assert track(owner, reference, lodged.pin).status_code == 429
