"""The supervisors' page of cases due for anonymisation, and legal holds placed and lifted from it."""

from datetime import timedelta

from django.utils import timezone

from grievances.models import CaseAccess
from grievances.privacy.models import LegalHold
from portal.models import Membership
from tests.grievances.privacy.test_retention import closed_case
from tests.grievances.workspace.conftest import _no_second_factor_in_workspace_tests, member  # noqa: F401 - fixture


def url(agency):
    return f"/workspace/privacy/{agency.slug}/"


def signed_in(client, user):
    client.force_login(user)
    return client


def test_a_supervisor_sees_cases_due_within_thirty_days_and_not_later_ones(client, category, agency):
    supervisor = member(agency, Membership.Role.SUPERVISOR)
    soon = closed_case(category, days_ago=5 * 365 - 10)
    later = closed_case(category, days_ago=100)
    html = signed_in(client, supervisor).get(url(agency)).content.decode()
    assert soon.reference in html and later.reference not in html


def test_an_officer_or_another_agency_s_supervisor_gets_404(client, category, agency, other_agency):
    closed_case(category, days_ago=5 * 365 - 10)
    assert signed_in(client, member(agency, Membership.Role.CASE_OFFICER)).get(url(agency)).status_code == 404
    outsider = member(other_agency, Membership.Role.SUPERVISOR)
    assert signed_in(client, outsider).get(url(agency)).status_code == 404


def test_a_hold_placed_from_the_page_shows_with_its_reason_and_in_the_access_log(client, category, agency):
    supervisor = member(agency, Membership.Role.SUPERVISOR)
    case = closed_case(category, days_ago=5 * 365 - 10)
    browser = signed_in(client, supervisor)
    response = browser.post(f"{url(agency)}{case.reference}/hold/", {"reason": "Inquiry by the ombudsman"})
    assert response.status_code == 302
    assert LegalHold.objects.get(grievance=case, lifted_at__isnull=True).reason == "Inquiry by the ombudsman"
    assert "Inquiry by the ombudsman" in browser.get(url(agency)).content.decode()
    assert CaseAccess.objects.filter(grievance=case, what="legal hold").exists()
    browser.post(f"{url(agency)}{case.reference}/hold/", {"lift": "1"})
    assert LegalHold.objects.get(grievance=case).lifted_at is not None
    assert timezone.now() - LegalHold.objects.get(grievance=case).lifted_at < timedelta(minutes=1)


def test_a_hold_without_a_reason_is_refused_with_a_message(client, category, agency):
    supervisor = member(agency, Membership.Role.SUPERVISOR)
    case = closed_case(category, days_ago=5 * 365 - 10)
    response = signed_in(client, supervisor).post(f"{url(agency)}{case.reference}/hold/", {"reason": " "}, follow=True)
    assert "Please give the reason for the hold." in response.content.decode()
    assert not LegalHold.objects.exists()
