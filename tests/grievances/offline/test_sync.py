"""Sync: each reserved reference lodges one case, for its own person and device, with its recorded time."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from grievances.models import Grievance
from grievances.offline import services
from grievances.offline.models import Reservation
from grievances.services.base import holidays_from
from grievances.workdays import add_working_days
from portal.models import Membership
from tests.factories import HOSTILE, MembershipFactory
from tests.fixtures.uploads import camera_exif, image, jpeg_bytes, uploaded

from .conftest import DEVICE, OTHER_DEVICE

pytestmark = pytest.mark.django_db
SYNC = "/workspace/field/sync/"


def reserve(user, organization, count=1, device=DEVICE):
    return services.references_reserve(user=user, device_id=device, organization=organization, count=count)


def draft(category, reference, *, recorded_at=None, device=DEVICE, **fields):
    recorded_at = recorded_at or timezone.now() - timedelta(minutes=5)
    return {
        "device": device,
        "reference": reference,
        "recorded_at": recorded_at.isoformat(),
        "category": category.pk,
        "description": f"Recorded at the market. {HOSTILE}",
        "contact_preference": "none",
        "confidentiality": "standard",
        **fields,
    }


def test_a_draft_becomes_one_field_visit_case_recorded_when_it_was(signed_in, recorder, agency, category, policy):
    (issued,) = reserve(recorder, agency)
    Reservation.objects.update(issued_at=timezone.now() - timedelta(days=5))
    recorded_at = timezone.now() - timedelta(days=4)
    response = signed_in.post(SYNC, draft(category, issued.reference, recorded_at=recorded_at))
    assert response.status_code == 201, response.content
    assert response.json() == {"reference": issued.reference, "status": "created", "errors": {}}
    grievance = Grievance.objects.get(reference=issued.reference)
    assert grievance.channel == Grievance.Channel.FIELD_VISIT
    assert grievance.recorded_by == recorder
    assert grievance.lodged_at == recorded_at
    # Deadlines run from the day it was recorded, not from the day it arrived.
    day = timezone.localdate(recorded_at)
    assert grievance.resolve_due == add_working_days(day, policy.resolve_days, holidays_from(day))
    assert Reservation.objects.get(reference=issued.reference).grievance == grievance


def test_the_pin_given_on_the_slip_opens_the_case(signed_in, client, recorder, agency, category):
    (issued,) = reserve(recorder, agency)
    signed_in.post(SYNC, draft(category, issued.reference))
    signed_in.logout()
    response = client.post("/grievances/track/", {"reference": issued.reference, "pin": issued.pin})
    assert response.status_code == 302 and response["Location"] == f"/grievances/{issued.reference}/"


def test_the_same_draft_twice_makes_one_case(signed_in, recorder, agency, category):
    (issued,) = reserve(recorder, agency)
    first = signed_in.post(SYNC, draft(category, issued.reference))
    second = signed_in.post(SYNC, draft(category, issued.reference))
    assert first.status_code == 201
    assert second.status_code == 200 and second.json()["status"] == "already"
    assert Grievance.objects.filter(reference=issued.reference).count() == 1


def test_a_stolen_batch_is_useless_to_anyone_else(client, recorder, agency, category):
    (issued,) = reserve(recorder, agency)
    thief = MembershipFactory(organization=agency, role=Membership.Role.CASE_OFFICER).user
    client.force_login(thief)
    response = client.post(SYNC, draft(category, issued.reference))
    assert response.status_code == 403
    assert "not issued to you on this device" in response.json()["errors"]["reference"][0]
    assert not Grievance.objects.exists()
    # The same answer as for a reference that was never issued.
    unknown = client.post(SYNC, draft(category, "SU-2222-2222"))
    assert unknown.status_code == 403 and unknown.json()["errors"] == response.json()["errors"]


def test_the_batch_works_only_from_its_device(signed_in, recorder, agency, category):
    (issued,) = reserve(recorder, agency)
    response = signed_in.post(SYNC, draft(category, issued.reference, device=OTHER_DEVICE))
    assert response.status_code == 403 and not Grievance.objects.exists()


def test_a_recorder_who_lost_the_role_is_refused_at_sync_and_the_reference_stays(signed_in, recorder, agency, category):
    (issued,) = reserve(recorder, agency)
    Membership.objects.filter(user=recorder, organization=agency).update(active=False)  # no signal: checked at sync
    response = signed_in.post(SYNC, draft(category, issued.reference))
    assert response.status_code == 403
    assert "no longer record" in response.json()["errors"]["reference"][0]
    assert not Grievance.objects.exists()
    reservation = Reservation.objects.get(reference=issued.reference)
    assert reservation.revoked_reason == Reservation.Revoked.ROLE_LOST and reservation.grievance is None


@pytest.mark.parametrize(
    ("shift", "reason"),
    [
        (timedelta(hours=1), "ahead"),  # in the future
        (-timedelta(days=2), "before its reference was issued"),
    ],
)
def test_the_recorded_time_must_be_plausible(signed_in, recorder, agency, category, shift, reason):
    (issued,) = reserve(recorder, agency)
    response = signed_in.post(SYNC, draft(category, issued.reference, recorded_at=timezone.now() + shift))
    assert response.status_code == 422 and reason in response.json()["errors"]["recorded_at"][0]
    assert not Grievance.objects.exists()


def test_a_draft_that_waited_too_long_is_refused(signed_in, recorder, agency, category):
    (issued,) = reserve(recorder, agency)
    Reservation.objects.update(issued_at=timezone.now() - timedelta(days=10))
    old = timezone.now() - services.DRAFT_MAX_AGE - timedelta(hours=1)
    response = signed_in.post(SYNC, draft(category, issued.reference, recorded_at=old))
    assert response.status_code == 422 and "too long" in response.json()["errors"]["recorded_at"][0]


def test_a_withdrawn_category_is_refused_with_its_reason_and_can_be_fixed(signed_in, recorder, agency, category):
    (issued,) = reserve(recorder, agency)
    category.active = False
    category.save()
    response = signed_in.post(SYNC, draft(category, issued.reference))
    assert response.status_code == 422 and response.json()["errors"]["category"]
    category.active = True
    category.save()
    assert signed_in.post(SYNC, draft(category, issued.reference)).status_code == 201


def test_photos_go_through_the_same_upload_checks(signed_in, recorder, agency, category):
    first, second = reserve(recorder, agency, count=2)
    bad = signed_in.post(
        SYNC, {**draft(category, first.reference), "attachments": uploaded("notes.txt", b"MZ\x90\x00 not a photo")}
    )
    assert bad.status_code == 422 and bad.json()["errors"]["attachments"]
    photo = jpeg_bytes(image(), exif=camera_exif())
    good = signed_in.post(
        SYNC, {**draft(category, second.reference), "attachments": uploaded("card.jpg", photo, "image/jpeg")}
    )
    assert good.status_code == 201
    (attachment,) = Grievance.objects.get(reference=second.reference).attachments.all()
    assert attachment.content_type == "image/jpeg" and attachment.size != len(photo)  # re-encoded, EXIF gone


def test_on_behalf_of_a_member_needs_consent(signed_in, recorder, union, agency, category):
    (first,) = reserve(recorder, agency)
    fields = {"on_behalf_of": union.pk, "member_name": "Somchai"}
    refused = signed_in.post(SYNC, draft(category, first.reference, **fields))
    assert refused.status_code == 422 and refused.json()["errors"]["consent"]
    created = signed_in.post(SYNC, draft(category, first.reference, consent="on", **fields))
    assert created.status_code == 201
    grievance = Grievance.objects.get(reference=first.reference)
    assert grievance.channel == Grievance.Channel.FIELD_VISIT
    assert grievance.lodged_by_organization == union and grievance.member_name == "Somchai"


def test_a_representative_without_an_agency_role_records_only_for_members(client, union, category):
    rep = MembershipFactory(organization=union, role=Membership.Role.REPRESENTATIVE).user
    first, second = reserve(rep, union, count=2)
    client.force_login(rep)
    direct = client.post(SYNC, draft(category, first.reference))
    assert direct.status_code == 422 and direct.json()["errors"]["on_behalf_of"]
    anonymous = client.post(
        SYNC, draft(category, second.reference, on_behalf_of=union.pk, consent="on", anonymous="on")
    )
    assert anonymous.status_code == 201
    grievance = Grievance.objects.get(reference=second.reference)
    assert grievance.anonymous and grievance.member_name == "" and grievance.contact_name == ""


def test_signed_out_sync_is_refused_in_json(client, category):
    response = client.post(SYNC, {"reference": "SU-2222-2222"})
    assert response.status_code == 401 and response.json()["status"] == "signed_out"


def test_sync_needs_the_csrf_token(recorder, agency, category):
    (issued,) = reserve(recorder, agency)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(recorder)
    assert strict.post(SYNC, draft(category, issued.reference)).status_code == 403
    assert not Grievance.objects.exists()


def test_tracking_a_reserved_reference_before_and_after_it_arrives(signed_in, client, recorder, agency, category):
    (issued,) = reserve(recorder, agency)
    before = client.post("/grievances/track/", {"reference": issued.reference, "pin": issued.pin})
    text = before.content.decode()
    assert (
        before.status_code == 200
        and "has not reached us yet" in text
        and agency.name in before.context["pending"].issued_by
    )
    wrong = client.post(
        "/grievances/track/", {"reference": issued.reference, "pin": "999999" if issued.pin != "999999" else "888888"}
    )
    assert "has not reached us yet" not in wrong.content.decode() and "do not match" in wrong.content.decode()
    signed_in.post(SYNC, draft(category, issued.reference))
    after = client.post("/grievances/track/", {"reference": issued.reference, "pin": issued.pin})
    assert after.status_code == 302 and after["Location"] == f"/grievances/{issued.reference}/"


def test_a_case_recorded_after_its_reference_expired_is_refused(signed_in, recorder, agency, category):
    (issued,) = reserve(recorder, agency)
    now = timezone.now()
    Reservation.objects.update(issued_at=now - timedelta(days=20), expires_at=now - timedelta(days=6))
    response = signed_in.post(SYNC, draft(category, issued.reference, recorded_at=now - timedelta(days=1)))
    assert response.status_code == 422 and "expired" in response.json()["errors"]["recorded_at"][0]
    assert not Grievance.objects.exists()


def test_reserving_through_the_page_needs_the_role_and_a_device(client, signed_in, beneficiary, agency):
    url = "/workspace/field/reserve/"
    no_device = signed_in.post(url, {"organization": agency.pk}, content_type="application/json")
    assert no_device.status_code == 422
    issued = signed_in.post(url, {"organization": agency.pk, "device": DEVICE}, content_type="application/json")
    assert issued.status_code == 201 and len(issued.json()["references"]) == services.BATCH_SIZE
    assert all(len(r["pin"]) == 6 for r in issued.json()["references"])
    client.force_login(beneficiary)
    refused = client.post(url, {"organization": agency.pk, "device": DEVICE}, content_type="application/json")
    assert refused.status_code == 403 and not Reservation.objects.filter(user=beneficiary).exists()


def test_the_case_keeps_the_language_of_the_page_if_offered(signed_in, recorder, agency, category, settings):
    first, second = reserve(recorder, agency, count=2)
    offered = settings.LANGUAGES[-1][0]
    signed_in.post(SYNC, draft(category, first.reference, language=offered))
    signed_in.post(SYNC, draft(category, second.reference, language="xx-not-offered"))
    assert Grievance.objects.get(reference=first.reference).language == offered
    assert Grievance.objects.get(reference=second.reference).language == settings.LANGUAGE_CODE


def test_a_resend_answers_already_even_if_the_draft_would_now_be_refused(signed_in, recorder, agency, category):
    (issued,) = reserve(recorder, agency)
    assert signed_in.post(SYNC, draft(category, issued.reference)).status_code == 201
    category.active = False
    category.save()
    again = signed_in.post(SYNC, draft(category, issued.reference))
    assert again.status_code == 200 and again.json()["status"] == "already"
