"""Lodging while signed in: "Is this the same as your open grievance?" asked before a second case is made."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grievances import services
from grievances.insights.own_cases import closest_open_case
from grievances.models import CaseEvent, Grievance
from tests.factories import UserFactory
from tests.grievances.test_lodge import form_data

pytestmark = pytest.mark.django_db

FIRST = "My child grant for October never arrived."
AGAIN = "The October child grant payment has still not been paid to me."
OTHER_PROBLEM = "The officer at the district office was rude and refused my registration form."


def own_case(category, user, description=FIRST):
    return services.grievance_lodge(
        category=category,
        description=description,
        contact_preference=Grievance.Contact.EMAIL,
        contact_email="malee@example.org",
        complainant=user,
    ).grievance


@pytest.fixture
def open_case(category, beneficiary):
    return own_case(category, beneficiary)


def test_close_words_ask_before_lodging_and_keep_everything_typed(client, category, beneficiary, open_case):
    client.force_login(beneficiary)
    response = client.post("/grievances/new/", form_data(category, description=AGAIN))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Is this the same as your open grievance" in page and open_case.reference in page
    assert f'name="same_case" value="{open_case.reference}"' in page and 'value="new"' in page
    assert AGAIN in page and "+66 81 234 5678" in page  # nothing typed is lost
    assert Grievance.objects.count() == 1


def test_yes_adds_the_words_to_that_case_and_lodges_nothing(client, category, beneficiary, open_case):
    client.force_login(beneficiary)
    response = client.post("/grievances/new/", form_data(category, description=AGAIN, same_case=open_case.reference))
    assert response.status_code == 302 and response["Location"] == open_case.get_absolute_url()
    assert Grievance.objects.count() == 1
    message = open_case.events.get(kind=CaseEvent.Kind.MESSAGE_FROM_COMPLAINANT)
    assert message.body == AGAIN and message.by_complainant


def test_no_lodges_a_new_grievance(client, category, beneficiary, open_case):
    client.force_login(beneficiary)
    response = client.post("/grievances/new/", form_data(category, description=AGAIN, same_case="new"))
    assert response.status_code == 302 and "/acknowledgement/" in response["Location"]
    assert Grievance.objects.count() == 2


def test_a_different_problem_is_lodged_without_asking(client, category, beneficiary, open_case):
    client.force_login(beneficiary)
    response = client.post("/grievances/new/", form_data(category, description=OTHER_PROBLEM))
    assert response.status_code == 302 and Grievance.objects.count() == 2


def test_someone_elses_open_case_is_never_offered_nor_written_to(client, category, beneficiary):
    theirs = own_case(category, UserFactory())
    assert closest_open_case(user=beneficiary, text=AGAIN, language="en") is None
    client.force_login(beneficiary)
    # A page altered to name another person's case: refused, and that case untouched.
    response = client.post("/grievances/new/", form_data(category, description=AGAIN, same_case=theirs.reference))
    assert response.status_code == 400
    assert theirs.reference not in response.content.decode()
    assert not theirs.events.filter(kind=CaseEvent.Kind.MESSAGE_FROM_COMPLAINANT).exists()
    response = client.post("/grievances/new/", form_data(category, description=AGAIN))
    assert response.status_code == 302 and theirs.reference not in response["Location"]


def test_a_closed_case_is_not_offered(client, category, beneficiary, open_case):
    Grievance.objects.filter(pk=open_case.pk).update(status="closed")
    client.force_login(beneficiary)
    assert client.post("/grievances/new/", form_data(category, description=AGAIN)).status_code == 302


def test_lodging_anonymously_while_signed_in_is_not_asked(client, category, beneficiary, open_case):
    client.force_login(beneficiary)
    data = form_data(category, description=AGAIN, anonymous="on", contact_preference="none", contact_phone="")
    response = client.post("/grievances/new/", data)
    assert response.status_code == 302 and Grievance.objects.count() == 2


def test_chosen_files_are_asked_for_again_on_the_question_page(client, category, beneficiary, open_case):
    client.force_login(beneficiary)
    photo = SimpleUploadedFile("slip.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = client.post("/grievances/new/", {**form_data(category, description=AGAIN), "attachments": photo})
    assert response.status_code == 200
    assert "please choose your documents or photos again" in response.content.decode()


def test_lodging_without_an_account_never_asks_and_costs_no_query_more(client, category, monkeypatch, open_case):
    def refuse(**kwargs):
        raise AssertionError("looked for a signed-out person's open cases")

    client.post("/grievances/new/", form_data(category, description="Warm up"), REMOTE_ADDR="10.9.0.3")
    with CaptureQueriesContext(connection) as before:
        client.post("/grievances/new/", form_data(category, description="First"), REMOTE_ADDR="10.9.0.1")
    monkeypatch.setattr("portal.registry.similar_open_case", refuse)
    with CaptureQueriesContext(connection) as after:
        response = client.post("/grievances/new/", form_data(category, description=AGAIN), REMOTE_ADDR="10.9.0.2")
    assert response.status_code == 302
    assert len(after.captured_queries) == len(before.captured_queries)
    assert not [q for q in after.captured_queries if "grievances_insights" in q["sql"]]


def test_a_signed_in_person_without_open_cases_pays_one_query(client, category, beneficiary, monkeypatch):
    client.force_login(beneficiary)
    client.post("/grievances/new/", form_data(category, description=OTHER_PROBLEM, same_case="new"))
    Grievance.objects.update(status="closed")
    with CaptureQueriesContext(connection) as asked:
        client.post("/grievances/new/", form_data(category, description=AGAIN))
    with CaptureQueriesContext(connection) as not_asked:
        client.post("/grievances/new/", form_data(category, description=AGAIN + " again", same_case="new"))
    assert len(asked.captured_queries) == len(not_asked.captured_queries) + 1


def test_yes_answers_the_agencys_question_when_the_case_waits_for_one(client, category, beneficiary, open_case):
    Grievance.objects.filter(pk=open_case.pk).update(status="awaiting_complainant")
    client.force_login(beneficiary)
    response = client.post("/grievances/new/", form_data(category, description=AGAIN, same_case=open_case.reference))
    assert response.status_code == 302
    open_case.refresh_from_db()
    assert open_case.status == "in_progress"
    assert open_case.events.get(kind=CaseEvent.Kind.INFORMATION_PROVIDED).body == AGAIN


def test_sending_yes_twice_adds_the_words_once(client, category, beneficiary, open_case):
    import re

    client.force_login(beneficiary)
    page = client.get("/grievances/new/").content.decode()
    key = re.search(r'name="submission" value="([^"]+)"', page).group(1)
    data = form_data(category, description=AGAIN, same_case=open_case.reference, submission=key)
    first, again = client.post("/grievances/new/", data), client.post("/grievances/new/", data)
    assert first.status_code == again.status_code == 302
    assert again["Location"] == open_case.get_absolute_url()
    assert open_case.events.filter(kind=CaseEvent.Kind.MESSAGE_FROM_COMPLAINANT).count() == 1
    assert Grievance.objects.count() == 1
