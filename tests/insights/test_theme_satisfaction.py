"""A theme's satisfaction: shown on the themes page over enough answers, and low satisfaction ranks it higher."""

from types import SimpleNamespace

import pytest
from django.utils import timezone

from grievances.insights.satisfaction import rank_by_need, shown
from grievances.insights.services import insights_refresh
from grievances.models import CaseEvent
from grievances.satisfaction.selectors import Shares
from grievances.satisfaction.services import satisfaction_record
from grievances.workflow import Status
from tests.grievances.conftest import move_to
from tests.insights import dataset
from tests.insights.conftest import lodge

pytestmark = pytest.mark.django_db
LANGUAGES = ("en", "th", "vi", "zh-hans")


@pytest.fixture(autouse=True)
def _no_second_factor(monkeypatch):
    monkeypatch.setattr("portal.middleware.needs_second_factor", lambda user: False)


@pytest.fixture(autouse=True)
def _small_cells(settings):
    settings.SUARA_STATISTICS_MIN_CELL = 3


def _cases(category, problem, count):
    cases = []
    for n in range(count):
        language = LANGUAGES[n % 4]
        text = dataset.PROBLEMS[problem][language][0].format(d=5 + n, amt="1,250")
        cases.append(lodge(category, description=text, language=language).grievance)
    return cases


def test_low_satisfaction_ranks_a_theme_above_a_larger_one():
    big = SimpleNamespace(id=1, size=8)
    unhappy = SimpleNamespace(id=2, size=6)
    assert rank_by_need([big, unhappy], {}, minimum=3) == [big, unhappy]
    answers = {2: Shares(answers=6, resolved_yes=0, resolved_partly=0, fair_answers=6, fair_yes=1)}
    assert rank_by_need([big, unhappy], answers, minimum=3) == [unhappy, big]
    # Below the minimum the answers neither show nor move the theme.
    few = {2: Shares(answers=2, resolved_yes=0, resolved_partly=0, fair_answers=2, fair_yes=0)}
    assert rank_by_need([big, unhappy], few, minimum=3) == [big, unhappy]
    assert shown(few[2], 3).answers is None


def test_the_themes_page_shows_satisfaction_and_puts_the_unhappy_theme_first(client, supervisor, category):
    _cases(category, "otp", 8)
    unhappy = _cases(category, "health_card", 6)
    insights_refresh()
    client.force_login(supervisor)
    for grievance in unhappy:
        move_to(grievance, Status.RESOLVED, kind=CaseEvent.Kind.RESOLVED, resolved_at=timezone.now())
        satisfaction_record(grievance=grievance, resolved="no", fair=False)
    page = client.get("/workspace/insights/").content.decode()
    assert "problem resolved: 0 % of 6 answers" in page and "treated fairly: 0 %" in page
    assert page.index("6 cases") < page.index("8 cases")
