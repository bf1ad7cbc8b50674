"""The wing at work: a lodged case is placed by the worker, the refresh recomputes, the API reads through the gate."""

import datetime as dt

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from grievances.insights import tasks
from grievances.insights.models import CaseVector, Membership, Refresh, Theme
from grievances.insights.services import insights_refresh
from tests.insights import dataset
from tests.insights.conftest import lodge

pytestmark = pytest.mark.django_db

OTP = dataset.PROBLEMS["otp"]
CARD = dataset.PROBLEMS["health_card"]


def _lodge_set(category, problems, languages=("en", "th", "vi", "zh-hans")):
    cases = []
    for problem in problems:
        for language in languages:
            # One way of telling each problem: the method's quality is test_evaluation's, this is the wiring.
            for day in (7, 19):
                text = problem[language][0].format(amt=f"1,{day}50", d=day)
                cases.append(lodge(category, description=text, language=language))
    return [lodged.grievance for lodged in cases]


def test_lodging_asks_the_worker_to_place_the_case_after_commit(category, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        grievance = lodge(category, description=OTP["en"][0].format(d=3)).grievance
    # Nothing was computed in the lodging request itself...
    assert not CaseVector.objects.filter(grievance=grievance).exists()
    # ...the worker was asked to.
    assert DBTaskResult.objects.filter(task_path__endswith="place_case", args_kwargs__args=[grievance.pk]).exists()


def test_the_worker_places_a_new_case_in_the_theme_of_its_problem(category):
    cases = _lodge_set(category, [OTP, CARD])
    insights_refresh()
    assert Theme.objects.count() == 2
    newcomer = lodge(category, description=OTP["vi"][0].format(d=12), language="vi").grievance
    tasks.place_case.call(newcomer.pk)
    otp_theme = Membership.objects.get(grievance=cases[0]).theme
    assert Membership.objects.get(grievance=newcomer).theme == otp_theme


def test_the_refresh_command_recomputes_and_replaces_the_themes(category):
    _lodge_set(category, [OTP, CARD])
    call_command("insights_refresh")
    first = set(Theme.objects.values_list("pk", flat=True))
    call_command("insights_refresh")
    assert Refresh.objects.count() == 1
    assert Theme.objects.count() == 2
    assert not first & set(Theme.objects.values_list("pk", flat=True))


def test_a_theme_is_flagged_emerging_when_its_cases_happen_recently_in_one_region(category):
    today = dt.date(2026, 6, 30)
    for n in range(8):
        lodge(
            category,
            description=dataset.PROBLEMS["app_crash"]["en"][n % 2].format(amt="1,250"),
            occurred_on=today - dt.timedelta(days=n),
        )
    insights_refresh(today=today)
    assert Theme.objects.get().emerging


def test_themes_api_has_the_promised_shape_and_only_the_tokens_cases(
    api, read_token, other_token, category, other_category
):
    mine = _lodge_set(category, [OTP])
    theirs = _lodge_set(other_category, [OTP])
    insights_refresh()
    body = api.get("/api/v1/insights/themes", token=read_token).json()
    assert set(body) == {"computed_at", "themes"}
    [theme] = body["themes"]
    assert set(theme) == {"id", "label", "size", "cases", "emerging"}
    assert sorted(theme["cases"]) == sorted(case.reference for case in mine)
    assert theme["size"] == len(mine)
    assert not set(theme["cases"]) & {case.reference for case in theirs}
    other = api.get("/api/v1/insights/themes", token=other_token).json()["themes"][0]["cases"]
    assert sorted(other) == sorted(case.reference for case in theirs)


def test_similar_api_lists_close_cases_of_the_tokens_agency_only_never_the_case_itself(
    api, read_token, category, other_category
):
    mine = _lodge_set(category, [OTP, CARD])
    theirs = _lodge_set(other_category, [OTP])
    insights_refresh()
    body = api.get(f"/api/v1/cases/{mine[0].reference}/similar", token=read_token, limit=5).json()
    references = [item["reference"] for item in body["similar"]]
    assert mine[0].reference not in references
    assert not set(references) & {case.reference for case in theirs}
    assert set(references) <= {case.reference for case in mine[:8]}
    scores = [item["score"] for item in body["similar"]]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= score <= 1 for score in scores)


def test_similar_api_is_404_for_another_agencys_case(api, read_token, other_category):
    theirs = _lodge_set(other_category, [OTP])
    insights_refresh()
    assert api.get(f"/api/v1/cases/{theirs[0].reference}/similar", token=read_token).status_code == 404


def test_a_sensitive_case_is_in_themes_only_for_a_focal_points_token(
    api, read_token, sensitive_token, category, sensitive_category
):
    _lodge_set(category, [OTP])
    hidden = lodge(sensitive_category, description=OTP["en"][0].format(d=3)).grievance
    insights_refresh()
    seen = [
        ref for theme in api.get("/api/v1/insights/themes", token=read_token).json()["themes"] for ref in theme["cases"]
    ]
    assert hidden.reference not in seen
    focal = [
        ref
        for theme in api.get("/api/v1/insights/themes", token=sensitive_token).json()["themes"]
        for ref in theme["cases"]
    ]
    assert hidden.reference in focal


def test_the_apis_refuse_a_request_without_a_token(api, category):
    assert api.get("/api/v1/insights/themes").status_code == 401


def test_supervisors_are_told_once_a_week_that_a_theme_of_their_agency_is_emerging(
    category, supervisor, other_supervisor, officer, mailoutbox
):
    from grievances.insights.notifications import notify_emerging

    today = dt.date(2026, 6, 30)
    for n in range(8):
        text = dataset.PROBLEMS["app_crash"]["en"][n % 2].format(amt="1,250")
        lodge(category, description=f"{text} +66 81 234 5678", occurred_on=today - dt.timedelta(days=n))
    insights_refresh(today=today)
    task = DBTaskResult.objects.get(task_path__endswith="notify_emerging")
    theme_ids = task.args_kwargs["args"][0]
    assert notify_emerging.call(theme_ids) == 1
    [message] = mailoutbox
    assert message.to == [supervisor.email]
    assert "/workspace/insights/" in message.body
    assert "5678" not in message.body
    # The next hourly refresh makes new themes; the notice is not sent again this week.
    insights_refresh(today=today)
    assert notify_emerging.call(list(Theme.objects.values_list("pk", flat=True))) == 0
    assert len(mailoutbox) == 1
