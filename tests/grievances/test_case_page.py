"""The complainant's case page: status in plain words, reply, answer, accept, appeal, withdraw."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from grievances import services
from grievances.models import AppendOnlyError, CaseEvent
from grievances.workflow import Status
from tests.bidi import assert_isolated
from tests.grievances.conftest import move_to

pytestmark = pytest.mark.django_db


def photo_with_gps() -> SimpleUploadedFile:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (13.0, 45.0, 0.0)}  # GPS latitude
    exif[0x010F] = "PhoneMaker"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile("IMG_0001.jpg", buffer.getvalue(), "image/jpeg")


@pytest.mark.smoke
def test_the_case_page_says_where_things_stand_and_by_when(tracked_client, lodged):
    html = tracked_client.get(lodged.grievance.get_absolute_url()).content.decode()
    assert "We have received your grievance and sent it to" in html
    assert lodged.grievance.resolve_due.strftime("%-d %B %Y") in html
    assert "Grievance lodged" in html and "Acknowledged" in html


def test_a_reply_with_a_photo_is_added_and_the_photo_loses_its_location(tracked_client, lodged):
    url = lodged.grievance.get_absolute_url()
    response = tracked_client.post(url + "reply/", {"body": "Here is the receipt.", "attachments": photo_with_gps()})
    assert response.status_code == 302
    event = lodged.grievance.events.get(kind=CaseEvent.Kind.MESSAGE_FROM_COMPLAINANT)
    assert event.by_complainant and event.public and event.body == "Here is the receipt."
    attachment = event.attachments.get()
    download = tracked_client.get(attachment.get_absolute_url())
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    image = Image.open(io.BytesIO(b"".join(download.streaming_content)))
    assert not image.getexif()
    html = tracked_client.get(url).content.decode()
    assert "Here is the receipt." in html and "IMG_0001.jpg" in html


def test_an_executable_renamed_pdf_is_refused_and_the_message_kept(tracked_client, lodged):
    url = lodged.grievance.get_absolute_url()
    fake = SimpleUploadedFile("receipt.pdf", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf")
    response = tracked_client.post(url + "reply/", {"body": "Typed with care", "attachments": fake})
    assert response.status_code == 400
    html = response.content.decode()
    assert "receipt.pdf" in html and "Typed with care" in html and "choose them again" in html
    assert not lodged.grievance.events.filter(kind=CaseEvent.Kind.MESSAGE_FROM_COMPLAINANT).exists()


def test_attachments_need_access_and_internal_ones_are_never_served(client, tracked_client, lodged):
    url = lodged.grievance.get_absolute_url()
    tracked_client.post(url + "reply/", {"body": "x", "attachments": photo_with_gps()})
    attachment = lodged.grievance.attachments.get()
    assert client.logout() is None
    from django.test import Client

    assert Client().get(attachment.get_absolute_url()).status_code == 404
    internal = CaseEvent.objects.create(grievance=lodged.grievance, kind=CaseEvent.Kind.NOTE, public=False, body="n")
    from grievances.models import Attachment

    hidden = Attachment.objects.create(
        grievance=lodged.grievance,
        event=internal,
        storage_name="grievances/x.pdf",
        display_name="x.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0",
    )
    assert tracked_client.get(hidden.get_absolute_url()).status_code == 404


def test_internal_notes_never_reach_the_complainant(tracked_client, lodged):
    CaseEvent.objects.create(
        grievance=lodged.grievance, kind=CaseEvent.Kind.NOTE, public=False, body="Officer thinks complainant is lying"
    )
    html = tracked_client.get(lodged.grievance.get_absolute_url()).content.decode()
    assert "Officer thinks" not in html and "Internal note" not in html


def test_answering_a_request_for_information_restarts_the_clock_later(tracked_client, awaiting, lodged):
    url = awaiting.get_absolute_url()
    request_event = awaiting.events.get(kind=CaseEvent.Kind.INFORMATION_REQUESTED)
    # The question was asked two weeks ago (set beneath the append-only guard).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE grievances_caseevent SET created_at = %s WHERE id = %s",
            [timezone.now() - timedelta(days=14), request_event.pk],
        )
    before = awaiting.resolve_due
    html = tracked_client.get(url).content.decode()
    assert "Which e-wallet do you use?" in html and "The time limit is paused" in html
    response = tracked_client.post(url + "answer/", {"body": "TrueMoney"})
    assert response.status_code == 302
    awaiting.refresh_from_db()
    assert awaiting.status == Status.IN_PROGRESS
    answer = awaiting.events.get(kind=CaseEvent.Kind.INFORMATION_PROVIDED)
    assert answer.payload["paused_working_days"] >= 9
    assert awaiting.resolve_due > before


def test_an_empty_answer_is_refused_with_a_message(tracked_client, awaiting):
    response = tracked_client.post(awaiting.get_absolute_url() + "answer/", {"body": "   "})
    assert response.status_code == 400 and "Please answer the question" in response.content.decode()


def resolved(grievance, *, appeal_due):
    return move_to(
        grievance,
        Status.RESOLVED,
        kind=CaseEvent.Kind.RESOLVED,
        body="Not upheld",
        decision="Not upheld",
        decision_reasons="The payment was made on 3 October.",
        resolved_at=timezone.now(),
        appeal_due=appeal_due,
    )


def test_the_complainant_accepts_a_decision_and_the_case_closes(tracked_client, lodged):
    grievance = resolved(lodged.grievance, appeal_due=timezone.localdate() + timedelta(days=30))
    html = tracked_client.get(grievance.get_absolute_url()).content.decode()
    assert "The payment was made on 3 October." in html and "I accept the decision" in html
    assert tracked_client.post(grievance.get_absolute_url() + "accept/").status_code == 302
    grievance.refresh_from_db()
    assert grievance.status == Status.CLOSED and grievance.closed_at
    assert grievance.events.filter(kind=CaseEvent.Kind.ACCEPTED).exists()


def test_the_complainant_appeals_within_the_window_with_reasons(tracked_client, lodged):
    grievance = resolved(lodged.grievance, appeal_due=timezone.localdate() + timedelta(days=30))
    empty = tracked_client.post(grievance.get_absolute_url() + "appeal/", {"reasons": ""})
    assert empty.status_code == 400
    response = tracked_client.post(grievance.get_absolute_url() + "appeal/", {"reasons": "I have the bank statement."})
    assert response.status_code == 302
    grievance.refresh_from_db()
    assert grievance.status == Status.APPEALED and grievance.appeal_decision_due
    assert "You have appealed" in tracked_client.get(grievance.get_absolute_url()).content.decode()


def test_an_appeal_after_the_window_is_refused(tracked_client, lodged):
    grievance = resolved(lodged.grievance, appeal_due=timezone.localdate() - timedelta(days=1))
    html = tracked_client.get(grievance.get_absolute_url()).content.decode()
    assert "Send my appeal" not in html and "The time to appeal has ended" in html
    response = tracked_client.post(grievance.get_absolute_url() + "appeal/", {"reasons": "late"})
    assert response.status_code == 400 and "The time to appeal ended" in response.content.decode()
    grievance.refresh_from_db()
    assert grievance.status == Status.RESOLVED


def test_withdrawing_asks_for_confirmation_then_closes_the_case(tracked_client, lodged):
    url = lodged.grievance.get_absolute_url() + "withdraw/"
    assert tracked_client.post(url, {"reason": "Sorted out"}).status_code == 200  # not confirmed
    assert tracked_client.post(url, {"reason": "Sorted out", "confirm": "on"}).status_code == 302
    lodged.grievance.refresh_from_db()
    assert lodged.grievance.status == Status.WITHDRAWN
    # Closed: no more replies.
    html = tracked_client.get(lodged.grievance.get_absolute_url()).content.decode()
    assert "Add information or a message" not in html
    response = tracked_client.post(lodged.grievance.get_absolute_url() + "reply/", {"body": "hello?"})
    assert response.status_code == 302
    assert not lodged.grievance.events.filter(kind=CaseEvent.Kind.MESSAGE_FROM_COMPLAINANT).exists()


def test_the_timeline_is_append_only(lodged):
    event = lodged.grievance.events.first()
    event.body = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        lodged.grievance.events.update(body="x")
    with pytest.raises(AppendOnlyError):
        lodged.grievance.events.all().delete()


def test_the_case_page_costs_the_same_queries_for_a_long_timeline(tracked_client, lodged):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = lodged.grievance.get_absolute_url()
    for i in range(3):
        tracked_client.post(url + "reply/", {"body": f"message {i}"})
    with CaptureQueriesContext(connection) as short:
        tracked_client.get(url)
    for i in range(30):
        tracked_client.post(url + "reply/", {"body": f"more {i}"})
    with CaptureQueriesContext(connection) as long:
        tracked_client.get(url)
    assert len(long.captured_queries) == len(short.captured_queries) <= 15


def test_the_case_page_isolates_the_direction_of_every_piece_of_peoples_text(tracked_client, lodged, officer):
    grievance = lodged.grievance
    services.grievance_start(grievance=grievance, user=officer, version=grievance.version)
    grievance.refresh_from_db()
    services.grievance_message(grievance=grievance, user=officer, body="Officer-words", version=grievance.version)
    grievance.refresh_from_db()
    services.grievance_resolve(
        grievance=grievance,
        user=officer,
        decision=grievance.Decision.UPHELD,
        reasons="Reasons-words",
        remedy="Remedy-words",
        version=grievance.version,
    )
    html = tracked_client.get(grievance.get_absolute_url()).content.decode()
    for needle in ("My payment did not arrive.", "Officer-words", "Reasons-words", "Remedy-words"):
        assert_isolated(html, needle)
