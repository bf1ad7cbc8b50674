"""Satisfaction at closure on the web: who may answer, what is refused, what is kept, the e-mail asking once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grievances import services
from grievances.models import CaseEvent, Grievance
from grievances.privacy.services import grievances_anonymise
from grievances.satisfaction import tasks
from grievances.satisfaction.models import Answer
from grievances.satisfaction.services import COMMENT_MAX_LENGTH, satisfaction_record
from grievances.workflow import Status
from tests.factories import UserFactory
from tests.grievances.conftest import move_to
from tests.grievances.test_lodge import run_tasks

pytestmark = pytest.mark.django_db


def decided(grievance: Grievance) -> Grievance:
    return move_to(grievance, Status.RESOLVED, kind=CaseEvent.Kind.RESOLVED, resolved_at=timezone.now())


def answer_url(grievance: Grievance) -> str:
    return f"/grievances/{grievance.reference}/how-it-went/"


@pytest.fixture
def owned(category, beneficiary):
    lodged = services.grievance_lodge(
        category=category,
        description="My pension did not arrive.",
        contact_preference=Grievance.Contact.EMAIL,
        contact_email="malee@example.org",
        complainant=beneficiary,
    )
    return lodged.grievance


def test_the_owner_answers_on_the_case_page_without_javascript(client, owned, beneficiary):
    decided(owned)
    client.force_login(beneficiary)
    page = client.get(owned.get_absolute_url()).content.decode()
    assert "Was your problem resolved?" in page and 'type="radio"' in page
    assert f'action="{answer_url(owned)}"' in page
    response = client.post(answer_url(owned), {"resolved": "partly", "fair": "yes", "comment": "Slow, but paid."})
    assert response.status_code == 302 and response["Location"] == owned.get_absolute_url()
    answer = Answer.objects.get(grievance=owned)
    assert (answer.resolved, answer.fair, answer.comment, answer.channel) == ("partly", True, "Slow, but paid.", "web")
    assert "you answered on" in client.get(owned.get_absolute_url()).content.decode()


def test_an_anonymous_complainant_answers_with_reference_and_pin(tracked_client, lodged):
    decided(lodged.grievance)
    response = tracked_client.post(answer_url(lodged.grievance), {"resolved": "no", "fair": "no"})
    assert response.status_code == 302
    answer = Answer.objects.get(grievance=lodged.grievance)
    assert answer.resolved == "no" and answer.fair is False and answer.comment == ""


def test_a_case_without_a_decision_asks_nothing(tracked_client, lodged):
    page = tracked_client.get(lodged.grievance.get_absolute_url()).content.decode()
    assert "Was your problem resolved?" not in page
    response = tracked_client.post(answer_url(lodged.grievance), {"resolved": "yes"})
    assert response.status_code == 302 and not Answer.objects.exists()


def test_a_wrong_pin_another_person_and_a_stranger_get_404_and_nothing_is_kept(client, lodged, owned):
    decided(lodged.grievance)
    decided(owned)
    wrong = client.post("/grievances/track/", {"reference": lodged.grievance.reference, "pin": "000000"})
    assert wrong.status_code == 200  # the track page again, with its one message
    assert client.post(answer_url(lodged.grievance), {"resolved": "yes"}).status_code == 404
    client.force_login(UserFactory())
    assert client.get(answer_url(owned)).status_code == 404
    assert client.post(answer_url(owned), {"resolved": "yes"}).status_code == 404
    assert not Answer.objects.exists()


def test_staff_of_the_agency_cannot_answer_for_the_complainant_even_with_the_pin(client, lodged, officer):
    decided(lodged.grievance)
    client.force_login(officer)
    client.post("/grievances/track/", {"reference": lodged.grievance.reference, "pin": lodged.pin})
    assert client.get(answer_url(lodged.grievance)).status_code == 403
    response = client.post(answer_url(lodged.grievance), {"resolved": "yes", "fair": "yes"})
    assert response.status_code == 403
    assert not Answer.objects.exists()
    with pytest.raises(Exception, match="Only the person who lodged"):
        satisfaction_record(grievance=lodged.grievance, resolved="yes", user=officer)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "resolved", "Please say whether your problem was resolved"),
        ({"resolved": "maybe"}, "resolved", "Please choose yes, partly or no."),
        ({"resolved": "yes", "fair": "sometimes"}, "fair", "Please choose yes or no."),
        ({"resolved": "yes", "comment": "x" * (COMMENT_MAX_LENGTH + 1)}, "comment", "at most"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_keeps_what_was_typed(
    tracked_client, lodged, data, field, message
):
    decided(lodged.grievance)
    response = tracked_client.post(answer_url(lodged.grievance), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    if "comment" in data:
        assert data["comment"] in page  # nothing typed is lost
    assert not Answer.objects.exists()


def test_a_second_answer_changes_the_first_within_the_window_and_is_refused_after(tracked_client, lodged):
    grievance = decided(lodged.grievance)
    tracked_client.post(answer_url(grievance), {"resolved": "no", "comment": "Still unpaid."})
    tracked_client.post(answer_url(grievance), {"resolved": "yes", "fair": "yes", "comment": "Paid now."})
    answer = Answer.objects.get(grievance=grievance)
    assert (answer.resolved, answer.fair, answer.comment) == ("yes", True, "Paid now.")
    Answer.objects.filter(pk=answer.pk).update(answered_at=timezone.now() - timedelta(days=15))
    response = tracked_client.post(answer_url(grievance), {"resolved": "no"})
    assert response.status_code == 400
    assert "that time has passed" in response.content.decode()
    assert Answer.objects.get(pk=answer.pk).resolved == "yes"
    assert Answer.objects.count() == 1
    page = tracked_client.get(grievance.get_absolute_url()).content.decode()
    assert "Change my answer" not in page and "Send my answer" not in page


def test_the_email_asks_once_per_case_with_a_link_to_the_form_and_no_answer_links(
    owned, officer, django_capture_on_commit_callbacks
):
    owned.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.grievance_resolve(
            grievance=owned,
            user=officer,
            decision=Grievance.Decision.UPHELD,
            reasons="Your pension was paid.",
            remedy="Paid with arrears.",
            version=owned.version,
        )
    mail.outbox.clear()
    run_tasks()
    run_tasks()  # the worker runs it again: nothing is sent twice
    tasks.ask_by_email.call(owned.pk)
    asking = [m for m in mail.outbox if "how did it go" in m.subject.lower()]
    assert len(asking) == 1
    body = asking[0].body
    assert answer_url(owned) in body
    assert "resolved=" not in body and "?" not in body.split(answer_url(owned))[1].split()[0]


def test_no_email_once_answered_nor_for_an_anonymous_case(lodged, owned):
    decided(owned)
    decided(lodged.grievance)
    satisfaction_record(grievance=owned, resolved="yes")
    assert tasks.ask_by_email.call(owned.pk) is False
    assert tasks.ask_by_email.call(lodged.grievance.pk) is False
    assert mail.outbox == [] or all("how did it go" not in m.subject.lower() for m in mail.outbox)


def test_anonymisation_blanks_the_comment_and_keeps_the_choices(owned):
    decided(owned)
    satisfaction_record(grievance=owned, resolved="partly", fair=False, comment="Officer Somchai was rude.")
    grievances_anonymise(ids=[owned.pk], reason="test")
    answer = Answer.objects.get(grievance=owned)
    assert answer.comment == "" and answer.resolved == "partly" and answer.fair is False


def test_the_owners_export_includes_the_answer(client, owned, beneficiary):
    decided(owned)
    satisfaction_record(grievance=owned, resolved="no", fair=True, comment="Not paid yet.")
    client.force_login(beneficiary)
    response = client.get("/my/data/?format=json")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Not paid yet." in text and owned.reference in text


def test_the_case_page_asks_no_more_than_one_query_for_the_questions(client, owned, beneficiary):
    client.force_login(beneficiary)
    url = owned.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as open_case:
        client.get(url)
    decided(owned)
    client.get(url)
    with CaptureQueriesContext(connection) as asking:
        client.get(url)
    satisfaction_record(grievance=owned, resolved="yes")
    with CaptureQueriesContext(connection) as answered:
        client.get(url)
    assert not [q for q in open_case.captured_queries if "grievances_satisfaction" in q["sql"]]
    assert len(asking.captured_queries) == len(answered.captured_queries)
    assert len([q for q in asking.captured_queries if "grievances_satisfaction" in q["sql"]]) == 1
