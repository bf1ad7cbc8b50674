"""A systemic issue raised in a consultation: the link read from the consultation's end."""

import datetime

import pytest
from django.utils import timezone

from consultations.models import ConsultationIndexPage
from grievances.insights import issues
from tests.factories import OrganizationFactory, consultation_page
from tests.insights import dataset
from tests.insights.conftest import lodge

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(home_page):
    index = home_page.add_child(instance=ConsultationIndexPage(title="Consultations", slug="consultations"))
    now = timezone.now()
    return consultation_page(
        index,
        owner=OrganizationFactory(name="Ministry"),
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=10),
        slug="otp-delivery",
        title="How codes reach people",
    )


def _issue(supervisor, category, agency, **recorded):
    cases = [lodge(category, description=dataset.PROBLEMS["otp"]["en"][0].format(d=5 + n)).grievance for n in range(3)]
    issue = issues.systemic_issue_create(
        user=supervisor, title="The code never arrives", summary="", owner=agency, grievances=cases
    )
    issues.systemic_issue_update(user=supervisor, issue=issue, outcome="A second SMS provider.", **recorded)
    return issue


@pytest.mark.parametrize("how", ["path", "path without slash", "full address", "id"])
def test_a_consultation_shows_the_published_issue_raised_in_it(client, supervisor, category, agency, consultation, how):
    recorded = {
        "path": consultation.url,
        "path without slash": consultation.url.rstrip("/"),
        "full address": consultation.full_url,
        "id": str(consultation.pk),
    }[how]
    issue = _issue(supervisor, category, agency, consultation=recorded, publish=True)
    page = client.get(consultation.url).content.decode()
    assert "Raised from grievances" in page
    assert "The code never arrives" in page and f"#issue-{issue.pk}" in page
    assert "3 grievances" in page


def test_an_unpublished_issue_and_another_consultations_issue_are_not_shown(
    client, supervisor, category, agency, consultation
):
    _issue(supervisor, category, agency, consultation=consultation.url, publish=False)
    _issue(supervisor, category, agency, consultation="/consultations/something-else/", publish=True)
    page = client.get(consultation.url).content.decode()
    assert "Raised from grievances" not in page and "The code never arrives" not in page
