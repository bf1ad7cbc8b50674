"""Notices by text: every public event reaches a complainant who chose SMS, with its delivery state."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from grievances import services
from grievances.models import Grievance
from grievances.sms import outbound
from grievances.sms.models import Conversation, Message, Recipient
from grievances.sms.numbers import number_hash, seal_number
from grievances.sms.staff import segments_by_agency_month
from grievances.workflow import Status
from portal.lib import sms
from portal.lib.observability import metrics
from tests.factories import MembershipFactory
from tests.grievances.sms.conftest import signed_post
from tests.grievances.test_lodge import run_tasks

NUMBER = "+66 81 234 5678"


@pytest.fixture(autouse=True)
def _no_second_factor(monkeypatch):
    # The second factor has its own tests; here the staff page is the subject.
    monkeypatch.setattr("portal.middleware.needs_second_factor", lambda user: False)


@pytest.fixture
def texted(category, django_capture_on_commit_callbacks):
    """A case whose complainant asked to be reached by phone or SMS."""
    with django_capture_on_commit_callbacks(execute=True):
        lodged = services.grievance_lodge(
            category=category,
            description="Payment missing",
            contact_preference=Grievance.Contact.PHONE,
            contact_phone=NUMBER,
            language="th",
        )
    run_tasks()  # the acknowledgement
    sms.outbox.clear()
    return lodged.grievance


def act(django_capture_on_commit_callbacks, service, grievance, **kwargs):
    grievance.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        service(grievance=grievance, version=grievance.version, **kwargs)
    run_tasks()  # the notice is written, then its delivery is queued
    run_tasks()


def test_a_question_reaches_the_complainant_in_the_case_language_and_is_on_the_staff_page(
    texted, officer, django_capture_on_commit_callbacks, client
):
    act(
        django_capture_on_commit_callbacks,
        services.grievance_request_information,
        texted,
        user=officer,
        body="Which bank?",
    )
    [notice] = sms.outbox
    assert notice.to == "+66812345678" and "Which bank?" in notice.body and texted.reference in notice.body
    message = Message.objects.get(kind="information_requested")
    assert message.status == "sent" and message.segments >= 1 and message.agency_id == texted.agency_id
    assert message.to_sealed == "" and message.body_sealed == "", "number and words go once delivered"
    # The number is now where answers to this case come from.
    assert Conversation.objects.get(number_hash=number_hash(NUMBER)).grievance == texted
    client.force_login(officer)
    page = client.get(f"/workspace/cases/{texted.reference}/").content.decode()
    assert "Text messages" in page and 'data-sms-status="sent"' in page


def test_every_public_staff_event_is_told_once_and_the_complainants_own_steps_are_not(
    texted, officer, django_capture_on_commit_callbacks
):
    act(django_capture_on_commit_callbacks, services.grievance_start, texted, user=officer)
    act(django_capture_on_commit_callbacks, services.grievance_add_note, texted, user=officer, body="internal")
    act(
        django_capture_on_commit_callbacks,
        services.grievance_resolve,
        texted,
        user=officer,
        decision=Grievance.Decision.UPHELD,
        reasons="We paid you.",
        remedy="Paid in full.",
    )
    kinds = list(Message.objects.filter(direction="out").values_list("kind", flat=True))
    # The decision is followed by its one question (grievances.satisfaction).
    assert kinds == ["status_changed", "resolved", "satisfaction"]
    assert "We paid you." in sms.outbox[-2].body
    run_tasks()  # running again sends nothing twice
    assert len(sms.outbox) == 3


def test_a_stopped_number_gets_no_notices(texted, officer, django_capture_on_commit_callbacks):
    Conversation.objects.create(number_hash=number_hash(NUMBER), language="th", stopped=True)
    act(django_capture_on_commit_callbacks, services.grievance_start, texted, user=officer)
    assert sms.outbox == [] and not Message.objects.exists()


def test_a_gateway_that_fails_is_retried_with_backoff_then_counted_as_failed(
    texted, officer, twilio_gateway, settings, django_capture_on_commit_callbacks, client
):
    settings.SMS_MAX_ATTEMPTS = 2
    twilio_gateway.fail_with = [503, 503]
    failures = metrics.SMS_FAILURES._value.get()
    act(django_capture_on_commit_callbacks, services.grievance_start, texted, user=officer)
    message = Message.objects.get()
    assert message.status == "queued" and message.attempts == 1 and message.next_attempt_at is not None
    # Not before its time: the backoff holds even if a task for it runs early.
    assert outbound.attempt(message.pk) is None and Message.objects.get().attempts == 1
    Message.objects.update(next_attempt_at=timezone.now())
    assert outbound.attempt(message.pk) is None
    message.refresh_from_db()
    assert message.status == "failed" and "503" in message.last_error and message.to_sealed == ""
    assert metrics.SMS_FAILURES._value.get() == failures + 1
    client.force_login(officer)
    page = client.get(f"/workspace/cases/{texted.reference}/").content.decode()
    assert 'data-sms-status="failed"' in page and "could not be delivered" in page


def test_a_delivery_receipt_shows_delivered(
    texted, officer, twilio_gateway, django_capture_on_commit_callbacks, client
):
    act(django_capture_on_commit_callbacks, services.grievance_start, texted, user=officer)
    message = Message.objects.get()
    assert message.status == "sent" and message.gateway_id.startswith("SM")
    callback = {"MessageSid": message.gateway_id, "MessageStatus": "delivered"}
    assert signed_post(client, "http://localhost:8000/sms/twilio/status/", callback).status_code == 204
    message.refresh_from_db()
    assert message.status == "delivered"


def test_an_officer_of_another_agency_cannot_open_the_case_or_its_texts(
    texted, officer, other_agency, django_capture_on_commit_callbacks
):
    act(django_capture_on_commit_callbacks, services.grievance_start, texted, user=officer)
    outsider = MembershipFactory(organization=other_agency, role="case_officer").user
    browser = Client()
    browser.force_login(outsider)
    assert browser.get(f"/workspace/cases/{texted.reference}/").status_code == 404


def test_an_anonymous_cases_number_is_never_shown_to_staff_and_dropped_once_its_final_notice_is_sent(
    category, officer, django_capture_on_commit_callbacks, client
):
    lodged = services.grievance_lodge(
        category=category, description="x", contact_preference=Grievance.Contact.NONE, anonymous=True
    )
    Recipient.objects.create(
        grievance=lodged.grievance, number_hash=number_hash(NUMBER), number_sealed=seal_number(NUMBER)
    )
    act(django_capture_on_commit_callbacks, services.grievance_start, lodged.grievance, user=officer)
    assert Recipient.objects.exists() and sms.outbox[-1].to == "+66812345678"
    # The officer sees that texts went, never where.
    client.force_login(officer)
    page = client.get(f"/workspace/cases/{lodged.grievance.reference}/").content.decode()
    assert "Text messages" in page and "234 5678" not in page and "2345678" not in page
    grievance = lodged.grievance
    act(
        django_capture_on_commit_callbacks,
        services.grievance_resolve,
        grievance,
        user=officer,
        decision=Grievance.Decision.OUT_OF_SCOPE,
        reasons="Done.",
    )
    grievance.refresh_from_db()
    assert grievance.status == Status.REJECTED
    assert not Recipient.objects.exists()


def test_segments_are_counted_per_agency_per_month(texted, officer, django_capture_on_commit_callbacks):
    act(django_capture_on_commit_callbacks, services.grievance_start, texted, user=officer)
    [row] = segments_by_agency_month()
    assert row["agency_id"] == texted.agency_id and row["direction"] == "out" and row["segments"] >= 1


def test_one_task_sends_every_text_waiting_for_its_first_try(texted, twilio_gateway):
    queued = [outbound.queue(number=NUMBER, body=f"notice {i}", kind="bench", grievance=texted) for i in range(5)]
    assert outbound.deliver_message.call(queued[0].pk) == "sent"
    assert len(twilio_gateway.requests) == 5
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}
    # Their own tasks then find nothing to do, and send nothing twice.
    assert [outbound.deliver_message.call(message.pk) for message in queued[1:]] == ["done"] * 4
    assert len(twilio_gateway.requests) == 5


def test_the_usage_command_lists_segments_per_agency_and_month(texted, officer, django_capture_on_commit_callbacks):
    act(django_capture_on_commit_callbacks, services.grievance_start, texted, user=officer)
    out = StringIO()
    call_command("sms_usage", stdout=out)
    header, line = out.getvalue().splitlines()
    assert header.startswith("month\tagency") and "\tout\t1\t" in line and texted.agency.name in line


def test_a_text_being_sent_by_one_task_is_never_sent_again_by_another(texted, twilio_gateway):
    message = outbound.queue(number=NUMBER, body="in flight", kind="bench", grievance=texted)
    # Another task claimed it a moment ago and is talking to the gateway: it holds a lease.
    Message.objects.filter(pk=message.pk).update(attempts=1, next_attempt_at=timezone.now() + timedelta(seconds=30))
    assert outbound.attempt(message.pk) is None
    assert outbound.drain() == 0
    assert twilio_gateway.requests == []
    # If that task died, the lease runs out and the next task sends it.
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert outbound.drain() == 1 and len(twilio_gateway.requests) == 1
