"""Indicator arithmetic against the hand-computed cases in conftest.py."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grievances.models import Grievance
from grievances.monitoring.indicators import Filters, Period, Scope, Sensitive, compute, percentile
from tests.grievances.monitoring.conftest import PERIOD, TODAY, scope


def test_due_dates_skip_the_weekend_and_the_holiday(march_april):
    g1, g2, g5 = march_april["g1"], march_april["g2"], march_april["g5"]
    assert g1.acknowledge_due == date(2026, 3, 11)  # Fri 6 → Tue 10, but Mon 9 is a holiday
    assert g1.resolve_due == date(2026, 4, 7)
    assert g2.acknowledge_due == date(2026, 3, 4)
    assert g2.resolve_due == date(2026, 4, 1)
    assert g5.resolve_due == date(2026, 3, 24)


def test_it_counts_what_was_received_and_acknowledged_in_time(march_april, agency):
    report = compute(scope(agency))
    assert report.received == 4  # g1–g4; g5 before the period, g6 sensitive, g7 elsewhere
    assert (report.acknowledged_on_time.numerator, report.acknowledged_on_time.denominator) == (3, 4)
    assert report.acknowledged_on_time.percent == 75.0


def test_it_counts_decisions_in_time_and_their_outcomes(march_april, agency):
    report = compute(scope(agency))
    assert report.resolved == 4  # g1, g2, g3 and g5 (lodged in February, decided in March)
    assert (report.resolved_on_time.numerator, report.resolved_on_time.denominator) == (3, 4)
    assert report.decisions == {"upheld": 2, "partly_upheld": 1, "not_upheld": 1, "out_of_scope": 0}


def test_median_and_90th_percentile_of_calendar_days_to_resolve(march_april, agency):
    report = compute(scope(agency))
    # 2.5, 10, 11, 32 days: median (10 + 11) / 2; p90 at rank 2.7: 11 + 0.7 × 21.
    assert report.median_days == 10.5
    assert report.p90_days == 25.7


def test_open_past_deadline_is_counted_today(march_april, agency):
    assert compute(scope(agency)).open_past_deadline == 1
    earlier = Scope(agency_ids=(agency.pk,), period=PERIOD, today=date(2026, 4, 30))
    assert compute(earlier).open_past_deadline == 0


def test_acceptances_appeals_and_appeal_outcomes(march_april, agency):
    report = compute(scope(agency))
    assert (report.accepted, report.appealed) == (1, 2)
    assert report.satisfaction.percent == 33.3
    assert (report.appeals_upheld, report.appeals_dismissed) == (1, 1)


def test_referrals_by_route_with_their_waits(march_april, agency, other_agency):
    [route] = compute(scope(agency)).referrals
    assert (route.from_agency, route.to_agency) == (agency.name, other_agency.name)
    assert (route.made, route.pending, route.accepted, route.returned) == (2, 0, 1, 1)
    assert route.mean_wait_days == 3.0
    assert route.longest_wait_days == 4.0
    # The receiving agency sees the same route in its own figures.
    assert len(compute(scope(other_agency)).referrals) == 1


def test_top_categories_month_by_month(march_april, agency, category):
    report = compute(scope(agency))
    assert [m.isoformat() for m in report.months] == ["2026-03-01", "2026-04-01"]
    [payments] = report.categories
    assert payments.label == category.parent.name
    assert (payments.total, payments.by_month) == (4, [3, 1])


def test_breakdowns_by_channel_and_sex_gender(march_april, agency):
    report = compute(scope(agency))
    assert report.by_channel == {"web": 3, "phone": 1}
    assert report.by_sex_gender == {"not_given": 1, "female": 2, "male": 1, "another": 0}


def test_filters_narrow_every_figure(march_april, agency):
    report = compute(scope(agency, filters=Filters(sex_gender="female")))
    assert report.received == 2  # g1, g3
    assert report.resolved == 2
    assert (report.accepted, report.appealed) == (1, 1)
    assert compute(scope(agency, filters=Filters(channel="phone"))).received == 1


def test_sensitive_cases_are_left_out_for_staff_who_are_not_focal_points(march_april, agency):
    hidden = compute(scope(agency, Sensitive.HIDDEN))
    detail = compute(scope(agency, Sensitive.DETAIL))
    assert (hidden.received, detail.received) == (4, 5)
    assert (hidden.resolved, detail.resolved) == (4, 5)
    assert "Harassment at the office" not in [c.label for c in hidden.categories]
    assert "Harassment at the office" in [c.label for c in detail.categories]


def test_sensitive_cases_count_only_at_the_top_level_across_agencies(march_april):
    report = compute(Scope(agency_ids=None, period=PERIOD, today=TODAY, sensitive=Sensitive.TOP_LEVEL))
    assert report.received == 6  # g1–g4, g6 and g7
    labels = {c.key: c.label for c in report.categories}
    assert "sensitive" in labels
    assert "Harassment at the office" not in labels.values()
    # Never broken down by channel, region or sex/gender.
    assert sum(report.by_sex_gender.values()) == 5
    assert len(report.agencies) == 2


def test_percentile_matches_percentile_cont():
    assert percentile([], 0.5) is None
    assert percentile([4.0], 0.9) == 4.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile([2.5, 10, 11, 32], 0.9) == pytest.approx(25.7)


def test_it_issues_the_same_number_of_queries_for_more_cases(march_april, agency, category, clock):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            compute(scope(agency))
        return len(captured)

    before = queries()
    from tests.grievances.monitoring.conftest import _lodge_at, at

    for day in range(1, 20):
        _lodge_at(clock, at(4, day), category)
    assert Grievance.objects.count() > 20
    assert queries() == before <= 8


def test_a_period_of_whole_months():
    assert Period.month(date(2026, 2, 14)) == Period(date(2026, 2, 1), date(2026, 2, 28))
    assert Period.last_twelve_months(date(2026, 5, 4)) == Period(date(2025, 5, 1), date(2026, 4, 30))
