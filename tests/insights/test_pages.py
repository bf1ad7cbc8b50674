"""The themes page, similar cases on the staff case page, systemic issues, and what complainants and the public see."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grievances.insights import issues
from grievances.insights.models import SystemicIssue, Theme
from grievances.insights.services import insights_refresh
from grievances.models import CaseEvent, Grievance
from grievances.workflow import Status
from tests.insights import dataset
from tests.insights.conftest import lodge

pytestmark = pytest.mark.django_db

OTP = dataset.PROBLEMS["otp"]


@pytest.fixture(autouse=True)
def _no_second_factor(monkeypatch):
    monkeypatch.setattr("portal.middleware.needs_second_factor", lambda user: False)


def _otp_cases(category, count=8):
    languages = ("en", "th", "vi", "zh-hans")
    return [
        lodge(category, description=OTP[languages[n % 4]][0].format(d=5 + n), language=languages[n % 4]).grievance
        for n in range(count)
    ]


def test_a_supervisor_sees_the_themes_of_their_agency_only(client, supervisor, category, other_category):
    mine, theirs = _otp_cases(category), _otp_cases(other_category)
    insights_refresh()
    client.force_login(supervisor)
    page = client.get("/workspace/insights/").content.decode()
    assert mine[0].reference in page or mine[1].reference in page
    assert not any(case.reference in page for case in theirs)
    assert "8 cases" in page


def test_the_themes_page_issues_the_same_queries_for_one_theme_as_for_three(client, supervisor, category):
    _otp_cases(category)
    insights_refresh()
    client.force_login(supervisor)
    with CaptureQueriesContext(connection) as one:
        client.get("/workspace/insights/")
    for problem in ("health_card", "bribe"):
        for n, language in enumerate(("en", "th", "vi", "zh-hans") * 2):
            text = dataset.PROBLEMS[problem][language][0].format(amt="1,250", d=3 + n)
            lodge(category, description=text, language=language)
    insights_refresh()
    assert Theme.objects.count() == 3
    with CaptureQueriesContext(connection) as three:
        client.get("/workspace/insights/")
    assert len(three) == len(one)


def test_an_officer_and_a_stranger_are_refused_the_themes_page(client, officer, beneficiary):
    client.force_login(officer)
    assert client.get("/workspace/insights/").status_code == 404
    client.force_login(beneficiary)
    assert client.get("/workspace/insights/").status_code == 404


def test_the_case_page_lists_similar_cases_and_marks_a_duplicate_in_one_action(client, supervisor, category):
    cases = _otp_cases(category)
    insights_refresh()
    client.force_login(supervisor)
    page = client.get(f"/workspace/cases/{cases[4].reference}/").content.decode()
    assert "Similar cases" in page
    assert cases[0].reference in page
    response = client.post(
        f"/workspace/cases/{cases[4].reference}/mark_duplicate/",
        {"duplicate-version": cases[4].version, "duplicate-original": cases[0].reference},
    )
    assert response.status_code == 302
    closed = Grievance.objects.get(pk=cases[4].pk)
    assert closed.status == Status.CLOSED and closed.duplicate_of_id == cases[0].pk


def test_a_theme_becomes_a_systemic_issue_and_publishing_tells_the_complainants_and_the_public(
    client, supervisor, category, agency
):
    cases = _otp_cases(category)
    insights_refresh()
    theme = Theme.objects.get()
    client.force_login(supervisor)
    response = client.post(
        "/workspace/insights/issues/new/", {"theme": theme.pk, "title": "OTP never arrives", "owner": agency.pk}
    )
    issue = SystemicIssue.objects.get()
    assert response.url == f"/workspace/insights/issues/{issue.pk}/"
    assert issue.links.count() == len(cases)
    assert cases[0].events.filter(kind=CaseEvent.Kind.NOTE, public=False).exists()
    assert "OTP never arrives" not in client.get("/you-said-we-did/").content.decode()
    client.post(
        f"/workspace/insights/issues/{issue.pk}/",
        {
            "consultation": "https://example.org/consultations/otp/",
            "outcome": "A second SMS provider.",
            "publish": "on",
        },
    )
    issue.refresh_from_db()
    assert issue.published_at
    assert cases[0].events.filter(kind=CaseEvent.Kind.MESSAGE_TO_COMPLAINANT, public=True).count() == 1
    public = client.get("/you-said-we-did/").content.decode()
    assert "OTP never arrives" in public and "A second SMS provider." in public


def test_a_consultation_that_is_not_a_web_address_is_never_a_link(client, supervisor, category, agency):
    cases = _otp_cases(category, 3)
    issue = issues.systemic_issue_create(user=supervisor, title="T", summary="", owner=agency, grievances=cases)
    issues.systemic_issue_update(
        user=supervisor, issue=issue, consultation="javascript://x%0aalert(1)", outcome="Done", publish=True
    )
    assert 'href="javascript' not in client.get("/you-said-we-did/").content.decode()


def test_a_supervisor_of_another_agency_cannot_link_cases_they_cannot_see(other_supervisor, category, agency):
    cases = _otp_cases(category, 3)
    with pytest.raises(Exception, match="case you can see"):
        issues.systemic_issue_create(user=other_supervisor, title="T", summary="", owner=agency, grievances=cases)


def test_an_officer_cannot_name_a_systemic_issue(officer, category, agency):
    cases = _otp_cases(category, 3)
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied
        issues.systemic_issue_create(user=officer, title="T", summary="", owner=agency, grievances=cases)


def test_another_agencys_supervisor_gets_404_for_an_issue(client, supervisor, other_supervisor, category, agency):
    cases = _otp_cases(category, 3)
    issue = issues.systemic_issue_create(user=supervisor, title="T", summary="", owner=agency, grievances=cases)
    client.force_login(other_supervisor)
    assert client.get(f"/workspace/insights/issues/{issue.pk}/").status_code == 404


def test_the_complainant_reads_on_their_case_page_that_it_is_part_of_a_recognised_issue(
    client, supervisor, category, agency, beneficiary
):
    own = lodge(category, description=OTP["en"][0].format(d=4), complainant=beneficiary, anonymous=False).grievance
    others = _otp_cases(category, 3)
    issue = issues.systemic_issue_create(
        user=supervisor, title="OTP never arrives", summary="", owner=agency, grievances=[own, *others]
    )
    client.force_login(beneficiary)
    page = client.get(f"/grievances/{own.reference}/").content.decode()
    assert "OTP never arrives" in page
    assert "A second SMS provider." not in page
    issues.systemic_issue_update(
        user=supervisor, issue=issue, consultation="", outcome="A second SMS provider.", publish=True
    )
    assert "A second SMS provider." in client.get(f"/grievances/{own.reference}/").content.decode()


def test_a_case_in_no_issue_shows_no_note(client, category, beneficiary):
    own = lodge(category, description=OTP["en"][0].format(d=4), complainant=beneficiary, anonymous=False).grievance
    client.force_login(beneficiary)
    assert "Your grievance counted" not in client.get(f"/grievances/{own.reference}/").content.decode()
