"""Erasure requests: asked with reference + PIN, decided by a supervisor, the complainant told by e-mail."""

from grievances.models import CaseEvent, Grievance
from grievances.privacy.models import Anonymisation, ErasureRequest
from grievances.privacy.tasks import send_erasure_decision
from grievances.services import grievance_lodge
from grievances.workflow import Status
from portal.models import Membership
from tests.grievances.conftest import move_to
from tests.grievances.workspace.conftest import _no_second_factor_in_workspace_tests, member  # noqa: F401

EMAIL = "somchai@example.org"


def lodge(category):
    return grievance_lodge(
        category=category,
        description="Somchai here, call 081 234 5678",
        contact_preference=Grievance.Contact.EMAIL,
        contact_name="Somchai",
        contact_email=EMAIL,
    )


def ask(client, lodged):
    client.post("/grievances/track/", {"reference": lodged.grievance.reference, "pin": lodged.pin})
    return client.post(f"/grievances/{lodged.grievance.reference}/erase/", {"confirm": "yes"})


def test_an_erasure_request_needs_the_pin_and_goes_on_the_timeline(client, category):
    lodged = lodge(category)
    url = f"/grievances/{lodged.grievance.reference}/erase/"
    assert client.post(url, {"confirm": "yes"}).status_code == 404
    assert ask(client, lodged).status_code == 302
    assert ErasureRequest.objects.get(grievance=lodged.grievance).state == ErasureRequest.State.PENDING
    assert lodged.grievance.events.filter(kind=CaseEvent.Kind.ERASURE_REQUESTED, public=True).exists()
    ask(client, lodged)
    assert ErasureRequest.objects.count() == 1  # asking twice makes one request


def test_a_supervisor_approves_for_a_closed_case_which_is_anonymised_and_the_complainant_told(
    client, category, agency, mailoutbox, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    lodged = lodge(category)
    ask(client, lodged)
    move_to(lodged.grievance, Status.CLOSED, kind=CaseEvent.Kind.CLOSED)
    request = ErasureRequest.objects.get()
    supervisor = member(agency, Membership.Role.SUPERVISOR)
    client.force_login(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/workspace/privacy/{agency.slug}/erasure/{request.pk}/", {"decision": "approve"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == ErasureRequest.State.APPROVED
    record = Anonymisation.objects.get(grievance=lodged.grievance)
    assert record.reason == Anonymisation.Reason.ERASURE_REQUEST and record.by == supervisor
    assert Grievance.objects.get(pk=lodged.grievance.pk).contact_email == ""
    (task,) = DBTaskResult.objects.filter(task_path__endswith="send_erasure_decision")
    assert EMAIL not in str(task.args_kwargs)  # the address travels sealed
    mailoutbox.clear()
    send_erasure_decision.call(*task.args_kwargs["args"])
    assert [m.to for m in mailoutbox] == [[EMAIL]] and "approved" in mailoutbox[0].body


def test_an_open_case_cannot_be_erased_yet_and_nothing_changes(client, category, agency):
    lodged = lodge(category)
    ask(client, lodged)
    request = ErasureRequest.objects.get()
    client.force_login(member(agency, Membership.Role.SUPERVISOR))
    response = client.post(
        f"/workspace/privacy/{agency.slug}/erasure/{request.pk}/", {"decision": "approve"}, follow=True
    )
    assert "still open" in response.content.decode()
    request.refresh_from_db()
    assert request.state == ErasureRequest.State.PENDING and not Anonymisation.objects.exists()


def test_refusing_needs_reasons_and_an_officer_or_other_agency_gets_404(client, category, agency, other_agency):
    lodged = lodge(category)
    ask(client, lodged)
    request = ErasureRequest.objects.get()
    url = f"/workspace/privacy/{agency.slug}/erasure/{request.pk}/"
    for person in (member(agency, Membership.Role.CASE_OFFICER), member(other_agency, Membership.Role.SUPERVISOR)):
        client.force_login(person)
        assert client.post(url, {"decision": "refuse", "reasons": "no"}).status_code == 404
    client.force_login(member(agency, Membership.Role.SUPERVISOR))
    client.post(url, {"decision": "refuse", "reasons": ""})
    request.refresh_from_db()
    assert request.state == ErasureRequest.State.PENDING
    client.post(url, {"decision": "refuse", "reasons": "A court case needs it"})
    request.refresh_from_db()
    assert request.state == ErasureRequest.State.REFUSED


# --- deleting an account ---------------------------------------------------------------


def test_deleting_an_account_anonymises_its_closed_cases_and_asks_erasure_of_open_ones(
    client, category, django_user_model
):
    user = django_user_model.objects.create_user("leaving@example.org", "a-long-password-1")
    closed = grievance_lodge(
        category=category,
        description="Somchai, 081 234 5678",
        contact_preference=Grievance.Contact.ACCOUNT,
        contact_name="Somchai",
        complainant=user,
    ).grievance
    move_to(closed, Status.CLOSED, kind=CaseEvent.Kind.CLOSED)
    still_open = grievance_lodge(
        category=category, description="Late", contact_preference=Grievance.Contact.ACCOUNT, complainant=user
    ).grievance
    client.force_login(user)
    assert client.post("/my/delete/", {"confirm": "yes", "password": "wrong"}).status_code == 400
    response = client.post("/my/delete/", {"confirm": "yes", "password": "a-long-password-1"})
    assert response.status_code == 302
    assert not django_user_model.objects.filter(pk=user.pk).exists()
    assert Anonymisation.objects.get(grievance=closed).reason == Anonymisation.Reason.ACCOUNT_DELETED
    assert Grievance.objects.get(pk=closed.pk).contact_name == ""
    assert ErasureRequest.objects.get(grievance=still_open).state == ErasureRequest.State.PENDING
    assert Grievance.objects.get(pk=still_open.pk).complainant_id is None


def test_a_staff_account_cannot_delete_itself_here(client, agency):
    officer = member(agency, Membership.Role.CASE_OFFICER)
    client.force_login(officer)
    response = client.post("/my/delete/", {"confirm": "yes", "password": "x"})
    assert response.status_code == 200 and "administrator" in response.content.decode()
    assert type(officer).objects.filter(pk=officer.pk).exists()
