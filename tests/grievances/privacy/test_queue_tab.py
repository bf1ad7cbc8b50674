"""The queue's "Due for anonymisation" tab: the agency's supervisors see the cases the sweep will soon anonymise."""

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grievances.privacy.models import LegalHold
from portal.models import Membership
from tests.factories import MembershipFactory
from tests.grievances.privacy.test_retention import closed_case
from tests.grievances.workspace.conftest import _no_second_factor_in_workspace_tests, member  # noqa: F401 - fixture

SOON = 5 * 365 - 10  # closed this many days ago: anonymised in ten days under the ordinary default
TAB = "Due for anonymisation"


def tab_url(agency, tab="anonymisation"):
    return f"/workspace/queue/{agency.slug}/?tab={tab}"


def get(client, user, url):
    client.force_login(user)
    cache.clear()  # the queue's own tab counts are kept between requests
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries)


def test_a_supervisor_sees_the_tab_with_the_cases_due_their_date_and_the_hold_form(client, category, agency):
    supervisor = member(agency, Membership.Role.SUPERVISOR)
    soon = closed_case(category, days_ago=SOON)
    later = closed_case(category, days_ago=100)
    response, _queries = get(client, supervisor, tab_url(agency))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"{TAB} (1)" in html and 'aria-current="page"' in html
    assert soon.reference in html and later.reference not in html
    assert f'action="/workspace/privacy/{agency.slug}/{soon.reference}/hold/"' in html
    assert 'name="next" value="/workspace/queue/' in html
    assert "<time datetime=" in html
    # The other tabs carry the count too, without the list.
    html = get(client, supervisor, f"/workspace/queue/{agency.slug}/")[0].content.decode()
    assert f"{TAB} (1)" in html and f"{soon.reference}/hold/" not in html


def test_an_officer_of_the_agency_neither_sees_the_tab_nor_opens_it_by_its_address(client, category, agency):
    soon = closed_case(category, days_ago=SOON)
    officer = member(agency, Membership.Role.CASE_OFFICER)
    response, _queries = get(client, officer, tab_url(agency))
    html = response.content.decode()
    assert response.status_code == 200  # the open cases' tab instead
    assert TAB not in html and f"{soon.reference}/hold/" not in html and "/workspace/privacy/" not in html


def test_another_agency_s_supervisor_gets_404_and_as_an_officer_here_no_tab(client, category, agency, other_agency):
    soon = closed_case(category, days_ago=SOON)
    outsider = member(other_agency, Membership.Role.SUPERVISOR)
    assert get(client, outsider, tab_url(agency))[0].status_code == 404
    # Supervising elsewhere gives nothing here: as this agency's officer, still no tab.
    MembershipFactory(organization=agency, user=outsider, role=Membership.Role.CASE_OFFICER)
    response, _queries = get(client, outsider, tab_url(agency))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{TAB} (" not in html and soon.reference not in html  # (the navigation links their own agency's page)
    # Their own agency's tab does not list this agency's cases.
    html = get(client, outsider, tab_url(other_agency))[0].content.decode()
    assert f"{TAB} (0)" in html and soon.reference not in html


def test_a_hold_placed_from_the_tab_returns_to_it_and_the_case_leaves_the_list(client, category, agency):
    supervisor = member(agency, Membership.Role.SUPERVISOR)
    soon = closed_case(category, days_ago=SOON)
    client.force_login(supervisor)
    response = client.post(
        f"/workspace/privacy/{agency.slug}/{soon.reference}/hold/",
        {"reason": "The ombudsman asked for the file", "next": tab_url(agency)},
    )
    assert response.status_code == 302 and response["Location"] == tab_url(agency)
    assert LegalHold.objects.filter(grievance=soon, lifted_at__isnull=True).exists()
    html = get(client, supervisor, tab_url(agency))[0].content.decode()
    assert f"{TAB} (0)" in html and f"{soon.reference}/hold/" not in html


def test_a_return_address_outside_the_workspace_is_ignored(client, category, agency):
    supervisor = member(agency, Membership.Role.SUPERVISOR)
    soon = closed_case(category, days_ago=SOON)
    client.force_login(supervisor)
    for elsewhere in ("https://example.org/", "//example.org/workspace/", "/my/"):
        response = client.post(
            f"/workspace/privacy/{agency.slug}/{soon.reference}/hold/", {"reason": " ", "next": elsewhere}
        )
        assert response["Location"] == f"/workspace/privacy/{agency.slug}/"


def test_the_tab_issues_the_same_queries_for_two_cases_as_for_eight(client, category, agency):
    supervisor = member(agency, Membership.Role.SUPERVISOR)
    for _ in range(2):
        closed_case(category, days_ago=SOON)
    response, two = get(client, supervisor, tab_url(agency))
    assert response.content.decode().count("/hold/") == 2
    for _ in range(6):
        closed_case(category, days_ago=SOON)
    response, eight = get(client, supervisor, tab_url(agency))
    assert response.content.decode().count("/hold/") == 8
    assert two == eight <= 14
