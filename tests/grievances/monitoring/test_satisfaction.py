"""The dashboard's "How it went": shares per agency and theme, small groups hidden like on /statistics/."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grievances import services
from grievances.models import CaseEvent, Category, Grievance
from grievances.monitoring.indicators import Period, Scope
from grievances.monitoring.satisfaction import satisfaction_section
from grievances.satisfaction.services import satisfaction_record
from grievances.workflow import Status
from tests.grievances.conftest import move_to

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_cells(settings):
    settings.SUARA_STATISTICS_MIN_CELL = 3


@pytest.fixture(autouse=True)
def _no_second_factor(monkeypatch):
    monkeypatch.setattr("portal.middleware.needs_second_factor", lambda user: False)


def answered(category, resolved, fair=None):
    grievance = services.grievance_lodge(
        category=category, description="Payment late", contact_preference=Grievance.Contact.NONE, anonymous=True
    ).grievance
    move_to(grievance, Status.RESOLVED, kind=CaseEvent.Kind.RESOLVED, resolved_at=timezone.now())
    satisfaction_record(grievance=grievance, resolved=resolved, fair=fair)
    return grievance


def scope(agency):
    today = timezone.localdate()
    return Scope(agency_ids=(agency.pk,), period=Period(today.replace(day=1), today), today=today)


def rows(section):
    return {row[0]: row[1:] for row in section.table.rows}


def test_shares_are_shown_over_enough_answers_and_a_small_theme_is_hidden_with_one_beside_it(category, agency, policy):
    for resolved, fair in (("yes", True), ("yes", True), ("yes", False), ("no", None)):
        answered(category, resolved, fair)
    other_theme = Category.objects.create(name="Registration", agency=agency, sla_policy=policy)
    other = Category.objects.create(parent=other_theme, name="Refused")
    answered(other, "no", False)
    table = rows(satisfaction_section(scope(agency)))
    assert table["All answers"] == ["5", "60.0 %", "50.0 %"]
    assert table["Theme: Registration"][0] == "fewer than 3"
    # Shown beside it, "Payments" would give Registration's count away by subtraction from the total.
    assert table["Theme: Payments"][0].startswith("not shown")


def test_fewer_answers_than_the_minimum_show_no_share(category, agency):
    answered(category, "no", False)
    answered(category, "no", False)
    table = rows(satisfaction_section(scope(agency)))
    assert table["All answers"] == ["fewer than 3", "fewer than 3", "fewer than 3"]


def test_the_supervisor_sees_the_section_and_its_queries_do_not_grow_with_the_answers(
    staff_client, supervisor, category, agency
):
    client = staff_client(supervisor)
    url = f"/workspace/monitoring/agency/{agency.slug}/"
    answered(category, "yes", True)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    assert "How it went, in the complainants" in page
    for _ in range(5):
        answered(category, "partly", True)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few.captured_queries) == len(many.captured_queries)


def test_an_officer_and_another_agencys_supervisor_do_not_see_it(
    staff_client, officer, outsider_supervisor, agency, category
):
    answered(category, "yes", True)
    url = f"/workspace/monitoring/agency/{agency.slug}/"
    assert staff_client(officer).get(url).status_code == 403
    assert staff_client(outsider_supervisor).get(url).status_code == 404
