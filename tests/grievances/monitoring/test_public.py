"""Public statistics: the minimum-cell rule, sensitive categories, no free text, no aggregation per request."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grievances.models import Grievance, Region
from grievances.monitoring import public
from grievances.monitoring.indicators import Scope, Sensitive, compute
from grievances.monitoring.models import StatisticsSnapshot
from grievances.monitoring.presentation import SUPPRESSED, anonymise, figures
from tests.grievances.monitoring.conftest import PERIOD, TODAY, _lodge_at, at

MARKER = "Unique-free-text-marker"


@pytest.fixture
def statistics(clock, category, own_sensitive_category, other_category, settings):
    """Twelve payment cases, three of another theme, two sensitive; seen on 4 May 2026."""
    settings.SUARA_STATISTICS_MIN_CELL = 10
    for day in range(1, 13):
        _lodge_at(clock, at(3, day), category, description=f"{MARKER} payments {day}", sex_gender="female")
    for day in range(1, 4):
        _lodge_at(clock, at(4, day), other_category, description=f"{MARKER} wages {day}")
    for day in range(1, 3):
        _lodge_at(clock, at(4, day), own_sensitive_category, description=f"{MARKER} harassment {day}")
    clock.now = at(5, 4, 9)


def page(client):
    response = client.get("/statistics/")
    assert response.status_code == 200
    return response.content.decode()


def test_no_cell_below_the_minimum_is_shown(client, statistics, category, other_category):
    public.refresh()
    body = page(client)
    assert "17" in body  # everything received: 12 + 3 + 2
    assert "fewer than 10" in body
    # The small theme is merged into "other categories", and its count is not shown.
    assert other_category.parent.name not in body
    assert "Other categories" in body
    assert category.parent.name in body


@pytest.mark.django_db
def test_anonymise_suppresses_every_small_count_and_rate():
    report = compute(Scope(agency_ids=None, period=PERIOD, today=TODAY, sensitive=Sensitive.TOP_LEVEL))
    data = anonymise(figures(report), 10)
    assert data["headline"]["received"] == SUPPRESSED  # nothing at all is still "fewer than 10"
    assert data["headline"]["resolved_on_time_pct"] == SUPPRESSED
    assert data["headline"]["median_days"] == SUPPRESSED


def test_anonymise_keeps_figures_at_or_above_the_minimum():
    data = {
        "period": {"start": "2026-03-01", "end": "2026-04-30"},
        "today": "2026-05-04",
        "months": ["2026-03", "2026-04"],
        "headline": {
            "received": 10,
            "ack_settled": 10,
            "ack_on_time": 9,
            "ack_on_time_pct": 90.0,
            "resolved": 9,
            "resolved_due": 9,
            "resolved_on_time": 9,
            "resolved_on_time_pct": 100.0,
            "median_days": 4.0,
            "p90_days": 9.0,
            "open_past_deadline": 0,
            "appeals_open": 0,
            "accepted": 12,
            "appealed": 0,
            "satisfaction_pct": 100.0,
            "appeals_upheld": 0,
            "appeals_dismissed": 0,
        },
        "decisions": {"upheld": 10, "not_upheld": 9},
        "categories": [
            {"key": "1", "label": "Big", "total": 10, "by_month": [10, 0]},
            {"key": "2", "label": "Small", "total": 3, "by_month": [1, 2]},
            {"key": "sensitive", "label": "", "total": 2, "by_month": [0, 2]},
        ],
        "referrals": [],
        "channel": {"web": 10},
        "region": {"": 19},
        "sex_gender": {"female": 9},
        "agencies": [],
    }
    result = anonymise(data, 10)
    h = result["headline"]
    # At the minimum a figure is never "fewer than"; it may still be withheld to protect a small one.
    assert h["received"] != SUPPRESSED and h["ack_on_time_pct"] == 90.0
    assert h["resolved"] == SUPPRESSED and h["median_days"] == SUPPRESSED and h["resolved_on_time_pct"] == SUPPRESSED
    assert h["satisfaction_pct"] == 100.0
    assert result["decisions"] == {"upheld": 10, "not_upheld": SUPPRESSED}
    keys = [c["key"] for c in result["categories"]]
    assert keys == ["1", "sensitive", "other"]
    assert result["categories"][0]["by_month"][0] != SUPPRESSED
    assert result["categories"][0]["by_month"][1] == SUPPRESSED
    assert result["categories"][1]["total"] == SUPPRESSED
    assert result["sex_gender"] == {"female": SUPPRESSED}


def test_sensitive_categories_appear_only_as_one_top_level_row(client, statistics, own_sensitive_category):
    public.refresh()
    body = page(client)
    assert own_sensitive_category.name not in body
    assert own_sensitive_category.parent.name not in body
    assert "Sensitive categories (counted together)" in body


def test_no_free_text_ever_appears(client, statistics):
    public.refresh()
    body = page(client)
    assert MARKER not in body
    assert "<script>alert" not in body
    snapshot = StatisticsSnapshot.objects.get(key=public.SNAPSHOT_KEY)
    assert MARKER not in str(snapshot.data)


def test_the_page_reads_the_snapshot_and_never_aggregates(client, statistics):
    public.refresh()
    page(client)
    with CaptureQueriesContext(connection) as queries:
        page(client)
    assert not [q for q in queries if "grievances_grievance" in q["sql"] or "COUNT(" in q["sql"].upper()]
    assert len(queries) <= 1
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        page(client)
    assert not [q for q in queries if "grievances_grievance" in q["sql"]]


def test_a_first_visit_before_any_refresh_computes_once(client, statistics):
    assert not StatisticsSnapshot.objects.exists()
    body = page(client)
    assert "17" in body
    assert StatisticsSnapshot.objects.count() == 1


def test_while_another_visit_computes_the_page_says_it_is_being_prepared(client, statistics):
    cache.add(public.LOCK_KEY, 1, 60)
    response = client.get("/statistics/")
    assert response.status_code == 200
    assert "being prepared" in response.content.decode()
    assert response["Retry-After"] == "60"
    assert "no-store" in response["Cache-Control"]
    assert not StatisticsSnapshot.objects.exists()


def test_the_refresh_command_stores_the_snapshot(statistics, capsys):
    call_command("statistics_refresh")
    assert "statistics_refresh: computed_at=" in capsys.readouterr().out
    snapshot = StatisticsSnapshot.objects.get(key=public.SNAPSHOT_KEY)
    assert snapshot.data["figures"]["headline"]["received"] == 17
    assert snapshot.data["figures"]["min_cell"] == 10
    # Charts are drawn ahead, once per language, as SVG images.
    assert all(
        chart["uri"].startswith("data:image/svg+xml;base64,")
        for charts in snapshot.data["charts"].values()
        for chart in charts.values()
    )


def test_the_minimum_is_a_setting(client, statistics, settings):
    settings.SUARA_STATISTICS_MIN_CELL = 20
    public.refresh()
    body = page(client)
    assert "fewer than 20" in body
    assert ">17<" not in body


def test_the_snapshot_computed_once_names_themes_and_regions_in_each_readers_language(
    client, statistics, category, settings
):
    region = Region.objects.create(name="Chiang Mai", code="cnx", names={"th": "เชียงใหม่"})
    Grievance.objects.filter(category=category).update(region=region)
    category.parent.names = {"th": "การจ่ายเงิน"}
    category.parent.save()
    settings.LANGUAGES = settings.LANGUAGES[:5]  # English, Indonesian, Malay, Thai, Vietnamese
    public.refresh()  # in English, once
    thai = client.get("/statistics/", HTTP_ACCEPT_LANGUAGE="th").content.decode()
    assert "การจ่ายเงิน" in thai and "เชียงใหม่" in thai
    vietnamese = client.get("/statistics/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "การจ่ายเงิน" not in vietnamese and category.parent.name in vietnamese and "Chiang Mai" in vietnamese
