"""The owner's side: paper responses, reports and hiding, following, notices."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from consultations import services
from consultations.models import ConsultationNotice, Response, ResponseReport
from portal.models import Membership
from tests.consultations.conftest import DAY, answers, form_data
from tests.factories import MembershipFactory, ResponseFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_owner_staff_enter_a_paper_response_marked_as_such(client, consultation, ministry_officer, union):
    client.force_login(ministry_officer)
    data = form_data(respondent_name="Pranee (letter)", organization=str(union.pk), channel="paper")
    data.pop("capacity"), data.pop("action")
    response = client.post(consultation.url + "manage/enter/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    entered = Response.objects.get()
    assert entered.channel == "paper" and entered.entered_by == ministry_officer and entered.respondent is None
    assert entered.stakeholder_group == "workers" and entered.status == "submitted"
    # The organization's one response is now this one; its representative cannot start another.
    rep = MembershipFactory(organization=union, role=Membership.Role.REPRESENTATIVE).user
    with pytest.raises(PermissionDenied):
        services.response_submit(
            user=rep, consultation=consultation, organization=union, answers=answers(), publication="named"
        )


@pytest.mark.parametrize("raw", ["%00", "abc", "99999999999999999999999", "-1", "1.5"])
def test_a_mangled_response_id_in_the_entry_address_is_not_found(client, consultation, ministry_officer, raw):
    client.force_login(ministry_officer)
    assert client.get(consultation.url + f"manage/enter/?response={raw}").status_code == 404
    assert client.get(consultation.url + "manage/enter/?response=").status_code == 200


def test_staff_of_another_organization_cannot_enter_responses(client, consultation, union):
    outsider = MembershipFactory(organization=union, role=Membership.Role.ADMIN).user
    from tests.consultations.conftest import with_second_factor

    client.force_login(with_second_factor(outsider))
    assert client.get(consultation.url + "manage/enter/").status_code == 403
    assert client.get(consultation.url + "manage/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.response_enter_on_behalf(
            staff=outsider,
            consultation=consultation,
            respondent_name="x",
            organization=None,
            channel="paper",
            answers=answers(),
            publication="named",
        )


def test_a_reader_reports_and_a_moderator_hides_with_a_reason(client, make_consultation, frozen, beneficiary, manager):
    consultation = make_consultation("open")
    author = UserFactory()
    services.response_submit(user=author, consultation=consultation, answers=answers(), publication="named")
    frozen(timezone.now() + 11 * DAY)
    response = Response.objects.get()

    client.force_login(beneficiary)
    url = consultation.url + f"responses/{response.pk}/report/"
    assert "error-summary" in client.post(url, {"reason": ""}).content.decode()
    assert client.post(url, {"reason": "Insults a named official"}).status_code == 302
    assert ResponseReport.objects.get().reason == "Insults a named official"
    assert client.get(consultation.url + f"responses/{response.pk}/hide/").status_code == 403

    # The public figures are cached; hiding must show in them at once.
    assert "Figures from the 1 response" in client.get(consultation.url + "results/").content.decode()
    client.force_login(manager)
    assert "Insults a named official" in client.get(consultation.url + "manage/").content.decode()
    hide = consultation.url + f"responses/{response.pk}/hide/"
    assert "1000 characters or fewer" in client.post(hide, {"reason": "x" * 1001}).content.decode()
    assert client.post(hide, {"reason": "Personal attack"}).status_code == 302
    response.refresh_from_db()
    assert response.hidden_reason == "Personal attack" and response.hidden_by == manager
    assert ResponseReport.objects.get().resolved_at is not None

    client.logout()
    assert "My view" not in client.get(consultation.url + "responses/").content.decode()
    assert "Figures from the 0 responses" in client.get(consultation.url + "results/").content.decode()
    # Hidden, not deleted: the owner still counts it.
    client.force_login(manager)
    assert "all 1 submitted response" in client.get(consultation.url + "results/?scope=all").content.decode()


def test_only_published_responses_can_be_reported(consultation, beneficiary):
    private = ResponseFactory(consultation=consultation, publication="none")
    with pytest.raises(PermissionDenied):
        services.response_report(user=beneficiary, response=private, reason="x")


def test_following_and_notices_go_out_once_each_to_followers_and_invited_representatives(
    client,
    make_consultation,
    frozen,
    beneficiary,
    union,
    union_rep,
    mailoutbox,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    consultation = make_consultation("upcoming", audience="invited")
    consultation.invited_organizations.set([union])
    consultation.save()
    client.force_login(beneficiary)
    assert client.post(consultation.url + "follow/").status_code == 302

    def sweep(when):
        frozen(when)
        with django_capture_on_commit_callbacks(execute=True):
            return [notice.kind for notice in services.consultation_notices_schedule()]

    opens, closes = consultation.opens_at, consultation.closes_at
    assert sweep(opens - DAY) == []
    assert sweep(opens + datetime.timedelta(minutes=5)) == ["opened"]
    assert sweep(opens + datetime.timedelta(minutes=10)) == []
    assert sweep(closes - 6 * DAY) == ["closing"]
    assert sweep(closes + DAY) == []  # closed, no outcome yet
    recipients = sorted(address for message in mailoutbox for address in message.to)
    assert recipients == sorted([beneficiary.email, union_rep.email] * 2)
    assert all(len(message.to) == 1 for message in mailoutbox)  # nobody sees the others' addresses
    assert ConsultationNotice.objects.filter(sent_at__isnull=False).count() == 2

    consultation.outcome = [{"type": "paragraph", "value": "<p>Decided.</p>"}]
    consultation.save_revision().publish()
    assert sweep(closes + 2 * DAY) == ["outcome"]
    assert sweep(closes + 3 * DAY) == []
    assert "Outcome published" in mailoutbox[-1].subject


def test_a_receipt_is_emailed_on_first_submission(
    consultation, beneficiary, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        services.response_submit(user=beneficiary, consultation=consultation, answers=answers(), publication="named")
    with django_capture_on_commit_callbacks(execute=True):
        services.response_submit(user=beneficiary, consultation=consultation, answers=answers(), publication="none")
    assert [m.to for m in mailoutbox] == [[beneficiary.email]]
    assert "has arrived" in mailoutbox[0].subject


def test_a_notice_task_run_twice_sends_once(client, make_consultation, beneficiary, mailoutbox):
    from consultations.tasks import send_consultation_notice

    consultation = make_consultation("open")
    client.force_login(beneficiary)
    assert client.post(consultation.url + "follow/").status_code == 302
    notice = ConsultationNotice.objects.create(consultation=consultation, kind=ConsultationNotice.Kind.OPENED)

    assert send_consultation_notice.call(notice.pk) == 1
    assert send_consultation_notice.call(notice.pk) == 0
    assert [message.to for message in mailoutbox] == [[beneficiary.email]]
    notice.refresh_from_db()
    assert notice.sent_at is not None and notice.recipients == 1
