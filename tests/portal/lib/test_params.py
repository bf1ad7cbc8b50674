"""Query-string readers: whatever is typed, a usable value or the default, never an exception."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from portal.lib.params import MAX_ID, object_id, positive_int, validate_sensible_date, year_month


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("3", 3), (" 7 ", 7), ("0", 1), ("-4", 1), ("x", 1), (None, 1), ("", 1), ("9" * 40, 50), ("١٢", 1), ("\x00", 1)],
)
def test_positive_int_gives_a_bounded_number_or_the_default(raw, expected):
    assert positive_int(raw, default=1, maximum=50) == expected


@pytest.mark.parametrize("raw", ["0", "-1", "abc", "1.5", "\x00", "", None, str(MAX_ID + 1), "9" * 5000, ["1"]])
def test_object_id_refuses_what_cannot_be_a_key(raw):
    assert object_id(raw) is None


def test_object_id_reads_the_largest_key():
    assert object_id(str(MAX_ID)) == MAX_ID


@pytest.mark.parametrize("raw", ["2026-13", "99999-01", "0001-01", "2026-1-1", "\x00", None, "2026-03\n"])
def test_year_month_falls_back_to_the_default(raw):
    assert year_month(raw, default=date(2026, 4, 1)) == date(2026, 4, 1)


def test_year_month_reads_a_month():
    assert year_month("2026-3", default=date(2026, 4, 1)) == date(2026, 3, 1)


def test_a_date_at_the_edge_of_the_calendar_is_refused_in_plain_words():
    with pytest.raises(ValidationError, match="between 1900 and 2199"):
        validate_sensible_date(date(9999, 12, 31))
    validate_sensible_date(date(2026, 5, 4))
