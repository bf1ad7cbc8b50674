"""The workspace dashboard: who may read which agency's figures, CSV and PDF downloads."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grievances.monitoring import rules
from portal.models import Membership
from tests.factories import OrganizationFactory, UserFactory
from tests.grievances.monitoring.conftest import _lodge_at, at, member


def url(agency, suffix=""):
    return f"/workspace/monitoring/agency/{agency.slug}/{suffix}"


PERIOD_QUERY = "?start=2026-03-01&end=2026-04-30"


def test_a_signed_out_visitor_is_sent_to_sign_in(client, agency):
    for address in (url(agency), url(agency, "indicators.csv"), "/workspace/monitoring/all/", "/workspace/monitoring/"):
        response = client.get(address)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_a_case_officer_of_the_agency_is_refused(staff_client, officer, agency):
    client = staff_client(officer)
    assert client.get(url(agency)).status_code == 403
    assert client.get(url(agency, "indicators.csv")).status_code == 403
    assert client.get(url(agency, "report.pdf")).status_code == 403
    assert client.get("/workspace/monitoring/").status_code == 403


def test_staff_of_another_agency_do_not_see_that_it_has_a_dashboard(
    staff_client, outsider_supervisor, outsider_officer, agency
):
    for user in (outsider_supervisor, outsider_officer):
        client = staff_client(user)
        assert client.get(url(agency)).status_code == 404
        assert client.get(url(agency, "indicators.csv")).status_code == 404
        assert client.get(url(agency, "report.pdf")).status_code == 404


def test_a_member_of_a_union_is_refused(staff_client, union_rep, agency):
    client = staff_client(union_rep)
    assert client.get(url(agency)).status_code == 404
    assert client.get("/workspace/monitoring/").status_code == 403


def test_the_supervisor_reads_the_agency_dashboard(staff_client, supervisor, agency, march_april):
    client = staff_client(supervisor)
    assert client.get("/workspace/monitoring/").status_code == 302  # straight to the only dashboard
    response = client.get(url(agency) + PERIOD_QUERY)
    assert response.status_code == 200
    body = response.content.decode()
    assert "75.0 %" in body
    assert "10.5" in body and "25.7" in body
    assert 'src="data:image/svg+xml;base64,' in body
    assert "<table" in body and "<caption id=" in body
    # Sensitive cases are not the supervisor's to see: left out, and said so.
    assert "Harassment at the office" not in body
    assert "only the agency's designated focal points see them" in body
    # No free text of any case.
    assert "My payment did not arrive" not in body


def test_the_head_of_the_agency_reads_it_too(staff_client, head, agency):
    assert staff_client(head).get(url(agency)).status_code == 200


def test_a_focal_point_supervisor_sees_sensitive_categories(staff_client, agency, march_april):
    focal_supervisor = member(agency, Membership.Role.SUPERVISOR, focal_point=True)
    body = staff_client(focal_supervisor).get(url(agency) + PERIOD_QUERY).content.decode()
    assert "Harassment at the office" in body


def test_all_agencies_only_for_superusers_and_oversight_bodies(staff_client, supervisor, settings, db):
    client = staff_client(supervisor)
    assert client.get("/workspace/monitoring/all/").status_code == 403
    assert client.get("/workspace/monitoring/all/indicators.csv").status_code == 403

    oversight = OrganizationFactory(kind="government", slug="inspectorate")
    inspector = member(oversight, Membership.Role.SUPERVISOR)
    settings.SUARA_OVERSIGHT_ORGANIZATIONS = ["inspectorate"]
    assert rules.can_view_all_agencies(inspector)
    assert staff_client(inspector).get("/workspace/monitoring/all/").status_code == 200

    superuser = UserFactory(is_superuser=True, is_staff=True)
    response = staff_client(superuser).get("/workspace/monitoring/all/")
    assert response.status_code == 200


def test_the_dashboard_issues_the_same_queries_for_more_cases(staff_client, supervisor, agency, category, clock):
    client = staff_client(supervisor)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(agency) + PERIOD_QUERY).status_code == 200
        return len(queries)

    _lodge_at(clock, at(3, 2), category)
    few = count()
    for day in range(3, 28):
        _lodge_at(clock, at(3, day), category)
    assert count() == few


def test_the_csv_neutralises_formulas(staff_client, supervisor, agency, category, march_april):
    category.parent.name = "=HYPERLINK(1)"
    category.parent.save()
    response = staff_client(supervisor).get(url(agency, "indicators.csv") + PERIOD_QUERY)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert "'=HYPERLINK(1)" in body
    assert "\n=HYPERLINK" not in body and ",=HYPERLINK" not in body
    assert "75.0" in body


def test_the_monthly_report_is_a_pdf(staff_client, supervisor, agency, march_april):
    response = staff_client(supervisor).get(url(agency, "report.pdf") + "?month=2026-03")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("query", ["?start=2026-05-01&end=2026-03-01", "?start=2010-01-01&end=2026-01-01", "?start=x"])
def test_a_bad_period_falls_back_to_the_default(staff_client, supervisor, agency, query):
    response = staff_client(supervisor).get(url(agency) + query)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "query", ["?start=9999-12-01&end=9999-12-31", "?start=0001-01-01&end=0001-01-31", "?start=%00&end=2026-01-01"]
)
def test_a_period_at_the_edge_of_the_calendar_is_reported_not_an_error(staff_client, supervisor, agency, query):
    for suffix in ("", "indicators.csv"):
        response = staff_client(supervisor).get(url(agency, suffix) + query)
        assert response.status_code == 200


@pytest.mark.parametrize("month", ["99999999999999999999-01", "0001-01", "2026-13", "%00", "-1-3", "2026-1-1"])
def test_a_crafted_report_month_gives_last_months_report_or_404(staff_client, supervisor, agency, month):
    response = staff_client(supervisor).get(url(agency, "report.pdf") + f"?month={month}")
    assert response.status_code in (200, 404)
