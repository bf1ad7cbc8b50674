"""Working-day deadlines across weekends and holidays."""

from datetime import date

import pytest

from grievances.workdays import add_working_days, working_days_between

pytestmark = pytest.mark.smoke

FRIDAY = date(2026, 11, 27)


def test_two_working_days_from_friday_is_tuesday():
    assert add_working_days(FRIDAY, 2, set()) == date(2026, 12, 1)


def test_a_holiday_is_skipped_like_a_weekend():
    assert add_working_days(FRIDAY, 2, {date(2026, 11, 30)}) == date(2026, 12, 2)


def test_twenty_one_working_days_span_weeks_and_a_holiday():
    holidays = {date(2026, 12, 10)}
    assert add_working_days(date(2026, 12, 1), 21, holidays) == date(2026, 12, 31)


def test_zero_days_is_the_same_day_and_negative_is_refused():
    assert add_working_days(FRIDAY, 0, set()) == FRIDAY
    with pytest.raises(ValueError):
        add_working_days(FRIDAY, -1, set())


def test_working_days_between_counts_only_working_days():
    assert working_days_between(FRIDAY, date(2026, 12, 4), set()) == 5  # Mon..Fri
    assert working_days_between(FRIDAY, date(2026, 11, 29), set()) == 0  # the weekend
    assert working_days_between(FRIDAY, FRIDAY, set()) == 0
