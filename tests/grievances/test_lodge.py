"""Lodging a grievance: with or without an account, anonymously, or for others."""

import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from grievances import receipts
from grievances.models import CaseEvent, Grievance, ThrottleHit
from grievances.services import grievance_lodge
from grievances.workflow import Status
from portal.lib import sms
from portal.models import Membership
from tests.factories import HOSTILE, MembershipFactory

pytestmark = pytest.mark.django_db


def form_data(category, **overrides):
    data = {
        "category": str(category.pk),
        "description": "My child grant for October never arrived.",
        "occurred_on": "2026-10-15",
        "contact_preference": "phone",
        "contact_name": "Malee",
        "contact_phone": "+66 81 234 5678",
        "contact_email": "",
        "confidentiality": "standard",
        "website": "",
    }
    data.update(overrides)
    return data


def run_tasks():
    """Run the queued tasks as the worker would: their arguments as stored in the database.

    (The real ``db_worker --batch`` closes every database connection when it
    ends, which would end the test's own transaction on PostgreSQL.)
    """
    from django.utils.module_loading import import_string
    from django_tasks_db.models import DBTaskResult

    for row in DBTaskResult.objects.ready():
        import_string(row.task_path).call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])


@pytest.mark.smoke
def test_anyone_can_lodge_without_an_account_and_sees_the_reference_and_pin_once(client, category):
    response = client.post("/grievances/new/", form_data(category))
    assert response.status_code == 302
    grievance = Grievance.objects.get()
    assert response["Location"] == f"/grievances/{grievance.reference}/acknowledgement/"

    page = client.get(response["Location"]).content.decode()
    assert grievance.reference in page
    pin = re.search(r'data-testid="pin">(\d{6})<', page).group(1)
    assert pin not in grievance.pin_hash
    # Shown once: a reload no longer shows it.
    again = client.get(response["Location"]).content.decode()
    assert pin not in again and "shown once" in again

    assert grievance.status == Status.ACKNOWLEDGED
    assert grievance.agency == category.parent.agency
    assert grievance.channel == Grievance.Channel.WEB
    assert [e.kind for e in grievance.events.all()] == [CaseEvent.Kind.LODGED, CaseEvent.Kind.ACKNOWLEDGED]
    assert all(e.public for e in grievance.events.all())


def test_deadlines_are_set_in_working_days(client, category, settings):
    client.post("/grievances/new/", form_data(category))
    grievance = Grievance.objects.get()
    lodged_day = grievance.lodged_at.date()
    assert grievance.acknowledge_due > lodged_day
    assert (grievance.resolve_due - lodged_day).days >= 21 + 2 * 4  # 21 working days span at least 4 weekends


def test_an_anonymous_grievance_keeps_no_contact_data_and_no_address(client, category, beneficiary):
    client.force_login(beneficiary)
    client.post(
        "/grievances/new/",
        form_data(category, anonymous="on", contact_email="malee@example.org"),
        REMOTE_ADDR="203.0.113.7",
    )
    grievance = Grievance.objects.get()
    assert grievance.anonymous and grievance.complainant is None
    assert (grievance.contact_name, grievance.contact_phone, grievance.contact_email) == ("", "", "")
    assert grievance.contact_preference == Grievance.Contact.NONE
    assert all(e.actor_id is None for e in grievance.events.all())
    for hit in ThrottleHit.objects.all():
        assert "203.0.113.7" not in hit.key
    stored = " ".join(str(getattr(grievance, f.attname)) for f in Grievance._meta.concrete_fields)
    assert "203.0.113.7" not in stored and "Malee" not in stored


def test_a_signed_in_person_finds_their_details_filled_in_and_the_case_on_their_page(client, category, beneficiary):
    client.force_login(beneficiary)
    html = client.get("/grievances/new/").content.decode()
    assert f'value="{beneficiary.email}"' in html
    assert re.search(r'<input[^>]*name="contact_preference"[^>]*value="account"[^>]*checked', html)
    response = client.post("/grievances/new/", form_data(category, contact_preference="account", contact_phone=""))
    assert response.status_code == 302
    grievance = Grievance.objects.get()
    assert grievance.complainant == beneficiary
    my_page = client.get("/my/").content.decode()
    assert grievance.reference in my_page
    # An owner needs no PIN.
    assert client.get(grievance.get_absolute_url()).status_code == 200


def test_a_validation_error_keeps_everything_typed_and_asks_for_files_again(client, category):
    from django.core.files.uploadedfile import SimpleUploadedFile

    typed = "Ich habe kein Geld bekommen — ทดสอบ 🙂"
    upload = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")
    data = form_data(category, description=typed, contact_phone="", contact_name="Somchai")
    data["attachments"] = upload
    response = client.post("/grievances/new/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert Grievance.objects.count() == 0
    assert typed in html and 'value="Somchai"' in html
    assert "Please give a phone number" in html
    assert "please choose them again" in html
    assert 'href="#id_contact_phone"' in html  # the error summary links to the field


def test_a_hundred_thousand_characters_are_refused_with_the_limit_and_kept(client, category):
    long_text = "ก" * 100_000
    response = client.post("/grievances/new/", form_data(category, description=long_text))
    html = response.content.decode()
    assert Grievance.objects.count() == 0
    assert "5,000" in html and "100,000" in html
    assert long_text in html
    assert "maxlength" not in re.search(r"<textarea[^>]*>", html).group(0)


def test_hostile_text_is_stored_as_typed_and_shown_escaped(client, category):
    text = f"{HOSTILE}\x00 end"
    response = client.post("/grievances/new/", form_data(category, description=text, contact_name=HOSTILE))
    assert response.status_code == 302
    grievance = Grievance.objects.get()
    assert grievance.description == f"{HOSTILE} end"  # only the NUL byte is gone
    html = client.get(grievance.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "\u200f" in html and "ทดสอบ 🙂" in html


def test_the_honeypot_stops_naive_bots(client, category):
    response = client.post("/grievances/new/", form_data(category, website="http://spam.example"))
    assert response.status_code == 200
    assert Grievance.objects.count() == 0


def test_lodging_is_rate_limited_per_address(client, category):
    for _ in range(10):
        assert client.post("/grievances/new/", form_data(category), REMOTE_ADDR="198.51.100.4").status_code == 302
    response = client.post("/grievances/new/", form_data(category), REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "try again after" in response.content.decode()
    assert Grievance.objects.count() == 10
    # Another address is not affected.
    assert client.post("/grievances/new/", form_data(category), REMOTE_ADDR="198.51.100.5").status_code == 302


def test_the_acknowledgement_goes_out_by_email_and_sms_from_the_task_worker(
    client, category, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "portal.lib.sms.LocmemBackend"
    sms.outbox.clear()
    with_both = form_data(category, contact_preference="email", contact_email="malee@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/grievances/new/", with_both)
    grievance = Grievance.objects.get()
    run_tasks()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["malee@example.org"]
    assert grievance.reference in mail.outbox[0].subject
    pin = re.search(r"PIN: (\d{6})", mail.outbox[0].body).group(1)
    assert [m.to for m in sms.outbox] == ["+66 81 234 5678"]
    assert pin in sms.outbox[0].body and grievance.reference in sms.outbox[0].body
    # The PIN never lay in the task queue in clear.
    from django_tasks_db.models import DBTaskResult

    assert pin not in str(DBTaskResult.objects.values_list("args_kwargs", flat=True)[0])


def test_every_grievance_page_is_sent_with_no_store_even_a_404(client, category, tracked_client, lodged):
    for url in (
        "/grievances/new/",
        "/grievances/track/",
        lodged.grievance.get_absolute_url(),
        "/grievances/SU-XXXX-XXXX/",
    ):
        assert "no-store" in tracked_client.get(url)["Cache-Control"]


# --- on behalf of others -------------------------------------------------------


def test_a_union_representative_lodges_for_a_member_with_consent(client, category, union, union_rep):
    client.force_login(union_rep)
    html = client.get("/grievances/new/").content.decode()
    assert "For someone else" in html
    data = form_data(
        category,
        lodge_for="member",
        organization=str(union.pk),
        member_name="Somchai",
        consent="on",
        contact_preference="account",
        contact_phone="",
    )
    response = client.post("/grievances/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    grievance = Grievance.objects.get()
    assert grievance.lodged_by == union_rep and grievance.lodged_by_organization == union
    assert grievance.channel == Grievance.Channel.ON_BEHALF and grievance.member_name == "Somchai"
    assert grievance.consent_recorded_at is not None and grievance.complainant is None
    assert grievance.reference in client.get("/my/").content.decode()


def test_lodging_for_others_needs_recorded_consent(client, category, union, union_rep):
    client.force_login(union_rep)
    data = form_data(category, lodge_for="group", organization=str(union.pk), people_affected="40")
    response = client.post("/grievances/new/", data)
    assert response.status_code == 200 and Grievance.objects.count() == 0
    assert "agreed" in response.content.decode()


def test_a_member_who_is_not_a_representative_cannot_lodge_for_the_union_even_by_posting_directly(
    client, category, union
):
    member = MembershipFactory(organization=union, role=Membership.Role.MEMBER).user
    client.force_login(member)
    assert "For someone else" not in client.get("/grievances/new/").content.decode()
    data = form_data(category, lodge_for="member", organization=str(union.pk), member_name="X", consent="on")
    client.post("/grievances/new/", data)
    grievance = Grievance.objects.get()
    # The on-behalf fields were ignored: lodged as the member's own grievance.
    assert grievance.lodged_by_organization is None and grievance.complainant == member


def test_the_service_itself_refuses_a_mandate_it_cannot_verify(category, union, other_union, union_rep):
    from django.core.exceptions import PermissionDenied

    from grievances.services import grievance_lodge

    with pytest.raises(PermissionDenied):
        grievance_lodge(
            category=category,
            description="x",
            contact_preference="account",
            lodged_by=union_rep,
            lodged_by_organization=other_union,
            consent_given=True,
        )
    assert Grievance.objects.count() == 0


def test_a_grievance_lodged_for_a_member_with_an_account_shows_on_the_members_page(client, category, union, union_rep):
    member = MembershipFactory(organization=union, role=Membership.Role.MEMBER).user
    client.force_login(union_rep)
    data = form_data(
        category,
        lodge_for="member",
        organization=str(union.pk),
        member_account=str(member.pk),
        consent="on",
        contact_preference="account",
        contact_phone="",
    )
    assert client.post("/grievances/new/", data).status_code == 302
    grievance = Grievance.objects.get()
    assert grievance.complainant == member and grievance.lodged_by == union_rep
    client.force_login(member)
    assert grievance.reference in client.get("/my/").content.decode()
    assert client.get(grievance.get_absolute_url()).status_code == 200


def test_a_representative_cannot_name_someone_outside_the_union_as_the_member(category, union, union_rep, beneficiary):
    from django.core.exceptions import ValidationError

    from grievances.services import grievance_lodge

    with pytest.raises(ValidationError):
        grievance_lodge(
            category=category,
            description="x",
            contact_preference="account",
            lodged_by=union_rep,
            lodged_by_organization=union,
            consent_given=True,
            member_account=beneficiary,
        )


def _page_key(client) -> str:
    page = client.get("/grievances/new/").content.decode()
    return re.search(r'name="submission" value="([^"]+)"', page).group(1)


def test_sending_the_same_lodging_page_twice_shows_the_first_case_and_lodges_no_second(client, category):
    key = _page_key(client)
    first = client.post("/grievances/new/", form_data(category, submission=key))
    page = client.get(first["Location"]).content.decode()
    pin = re.search(r'data-testid="pin">(\d{6})<', page).group(1)
    again = client.post("/grievances/new/", form_data(category, submission=key))
    assert again["Location"] == first["Location"]
    assert Grievance.objects.count() == 1
    shown = client.get(again["Location"]).content.decode()
    assert "already sent this form" in shown and pin not in shown
    # A new page load is a new key: a second grievance is a second case.
    client.post("/grievances/new/", form_data(category, submission=_page_key(client)))
    assert Grievance.objects.count() == 2


def test_a_lodging_key_sent_again_after_its_record_expired_lodges_anew(client, category):
    from grievances.submissions import LodgingSubmission

    key = _page_key(client)
    client.post("/grievances/new/", form_data(category, submission=key))
    LodgingSubmission.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    again = client.post("/grievances/new/", form_data(category, submission=key))
    assert again.status_code == 302 and Grievance.objects.count() == 2
    assert LodgingSubmission.objects.get().grievance == Grievance.objects.order_by("-pk").first()


def test_expired_lodging_keys_are_pruned_now_and_then(client, category, monkeypatch):
    from grievances.services import lodging
    from grievances.submissions import LodgingSubmission

    client.post("/grievances/new/", form_data(category, submission=_page_key(client)))
    LodgingSubmission.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    monkeypatch.setattr(lodging, "SUBMISSION_PRUNE_ONE_IN", 1)
    client.post("/grievances/new/", form_data(category, submission=_page_key(client)))
    assert LodgingSubmission.objects.count() == 1


def test_a_lodging_key_this_site_did_not_sign_is_ignored_not_trusted(client, category):
    client.post("/grievances/new/", form_data(category, submission="chosen-by-me"))
    client.post("/grievances/new/", form_data(category, submission="chosen-by-me"))
    assert Grievance.objects.count() == 2


def test_the_pin_waiting_to_be_shown_is_sealed_in_the_receipt_and_gone_once_shown(client, category):
    response = client.post("/grievances/new/", form_data(category))
    receipt_before_showing = client.cookies[receipts.COOKIE]
    assert receipt_before_showing["httponly"] and receipt_before_showing["samesite"] == "Lax"
    page = client.get(response["Location"]).content.decode()
    pin = re.search(r'data-testid="pin">(\d{6})<', page).group(1)
    reference = Grievance.objects.get().reference
    # Sealed: neither the PIN nor the reference can be read from the browser's cookie.
    assert pin not in receipt_before_showing.value and reference not in receipt_before_showing.value
    assert pin not in response["Location"]
    # Gone from the receipt once shown; the receipt still opens the case.
    assert receipts.take_pin(client_request(client), reference=reference) == (None, None)
    assert client.get(Grievance.objects.get().get_absolute_url()).status_code == 200


def client_request(client):
    from types import SimpleNamespace

    return SimpleNamespace(COOKIES={name: morsel.value for name, morsel in client.cookies.items()})


def test_an_anonymous_lodging_writes_no_session(client, category):
    response = client.post("/grievances/new/", form_data(category))
    client.get(response["Location"])
    assert not Session.objects.exists()
    assert django_settings.SESSION_COOKIE_NAME not in client.cookies


def test_a_copy_of_the_receipt_taken_before_the_page_was_seen_does_not_show_the_pin_again(client, category):
    from django.test import Client

    response = client.post("/grievances/new/", form_data(category))
    copy = Client()
    copy.cookies[receipts.COOKIE] = client.cookies[receipts.COOKIE].value
    assert 'data-testid="pin"' in client.get(response["Location"]).content.decode()
    again = copy.get(response["Location"])
    assert again.status_code == 200 and 'data-testid="pin"' not in again.content.decode()


def test_another_browser_without_the_receipt_cannot_see_the_acknowledgement(client, category):
    from django.test import Client

    response = client.post("/grievances/new/", form_data(category))
    assert Client().get(response["Location"]).status_code == 404
    forged = Client()
    forged.cookies[receipts.COOKIE] = client.cookies[receipts.COOKIE].value[:-4] + "AAAA"
    assert forged.get(response["Location"]).status_code == 404


def test_a_new_pin_ends_what_the_receipt_allowed(client, category):
    from grievances.pins import hash_pin

    response = client.post("/grievances/new/", form_data(category))
    Grievance.objects.update(pin_hash=hash_pin("123456"))
    assert client.get(response["Location"]).status_code == 404


def test_a_receipt_opens_its_case_for_two_hours_only(client, category, monkeypatch):
    response = client.post("/grievances/new/", form_data(category))
    case_url = Grievance.objects.get().get_absolute_url()
    assert client.get(case_url).status_code == 200
    later = receipts.time.time() + receipts.MAX_AGE_SECONDS + 60
    monkeypatch.setattr(receipts.time, "time", lambda: later)
    monkeypatch.setattr("portal.lib.sealed.time.time", lambda: later)
    assert client.get(response["Location"]).status_code == 404


def test_two_lodgings_from_one_browser_each_show_their_own_pin(client, category):
    first = client.post("/grievances/new/", form_data(category, description="First"))
    second = client.post("/grievances/new/", form_data(category, description="Second"))
    assert 'data-testid="pin"' in client.get(second["Location"]).content.decode()
    assert 'data-testid="pin"' in client.get(first["Location"]).content.decode()


def test_a_pin_not_shown_within_half_an_hour_is_not_shown_at_all(client, category, monkeypatch):
    response = client.post("/grievances/new/", form_data(category))
    monkeypatch.setattr("grievances.pins.PIN_SHOW_MAX_AGE", -1)
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="pin"' not in page and "shown once" in page


def test_without_an_sms_gateway_the_form_promises_a_call_not_a_text(client, category, settings):
    assert "By phone or SMS" in client.get("/grievances/new/").content.decode()
    settings.SMS_BACKEND = ""
    page = client.get("/grievances/new/").content.decode()
    assert "By phone or SMS" not in page and "cannot send text messages" in page


def test_a_case_recorded_earlier_counts_as_lodged_then(category, policy):
    recorded_at = timezone.now() - timedelta(days=3)
    lodged = grievance_lodge(
        category=category,
        description="Recorded on a field visit.",
        contact_preference=Grievance.Contact.NONE,
        anonymous=True,
        channel=Grievance.Channel.FIELD_VISIT,
        recorded_at=recorded_at,
        reference="SU-2222-2222",
        pin="123456",
    )
    grievance = lodged.grievance
    assert grievance.lodged_at == recorded_at and grievance.acknowledged_at > recorded_at
    assert grievance.reference == "SU-2222-2222" and lodged.pin == "123456"
    assert grievance.channel == Grievance.Channel.FIELD_VISIT


def test_a_recorded_time_in_the_future_or_a_used_reference_is_refused(category, lodged):
    fields = {
        "category": category,
        "description": "Recorded on a field visit.",
        "contact_preference": Grievance.Contact.NONE,
        "anonymous": True,
    }
    with pytest.raises(ValidationError) as error:
        grievance_lodge(recorded_at=timezone.now() + timedelta(minutes=1), **fields)
    assert "recorded_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        grievance_lodge(reference=lodged.grievance.reference, **fields)
    assert "reference" in error.value.message_dict
