"""Reading query-string parameters that anyone can type: never trust their size, shape or bytes.

Each reader turns one raw value (a ``str`` from ``request.GET.get``, or ``None``)
into a value a query can safely use, or into the default. Nothing here raises:
an address that was shortened, mangled or crafted shows the default page
rather than an error, and a view that needs the value answers 404 itself.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The largest id a PostgreSQL ``bigint`` primary key can hold; larger numbers
# make the database refuse the whole query ("bigint out of range").
MAX_ID = 2**63 - 1

# Dates people mean are in this range; outside it, date arithmetic
# (a day after 31 December 9999) and time-zone shifts overflow.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)

_DIGITS = re.compile(r"\s*\+?(\d+)\s*", re.ASCII)


def _digits(value) -> int | None:
    if not isinstance(value, str):
        return None
    match = _DIGITS.fullmatch(value)
    if match is None:
        return None
    digits = match.group(1).lstrip("0") or "0"
    # More digits than any key can have: no need to ask ``int`` to convert
    # a megabyte of them, it is simply too large.
    return MAX_ID + 1 if len(digits) > 19 else int(digits)


def positive_int(value, *, default: int, maximum: int) -> int:
    """A whole number from 1 to ``maximum``; larger numbers become ``maximum``, anything else ``default``.

    For page numbers and sizes: a page past the end shows an empty page
    instead of an error.
    """
    number = _digits(value)
    if number is None or number < 1:
        return default
    return min(number, maximum)


def object_id(value) -> int | None:
    """A primary key as typed in an address, or ``None`` when it cannot be one (the view answers 404)."""
    number = _digits(value)
    if number is None or not 1 <= number <= MAX_ID:
        return None
    return number


def year_month(value, *, default: date) -> date:
    """The first day of a ``YYYY-MM`` month within the years people mean, or ``default``."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", value, re.ASCII) if isinstance(value, str) else None
    if match is None:
        return default
    try:
        first = date(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        return default
    return first if EARLIEST_DATE <= first <= LATEST_DATE else default


def validate_sensible_date(value: date) -> None:
    """A form field's validator: refuse dates outside the years people mean, in plain words."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            _("Please give a date between %(first)s and %(last)s.")
            % {"first": EARLIEST_DATE.year, "last": LATEST_DATE.year}
        )
