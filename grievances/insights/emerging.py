"""Which themes are emerging: growing faster than their own history, per theme and region.

The rule (docs/insights.md): the date of a case is when it happened
(``occurred_on``), else the day it was lodged. For each theme and region, the
*recent* count is the cases of the last ``RECENT_DAYS`` days up to ``today``;
the *expected* count is the theme–region's rate over the ``HISTORY_DAYS``
days before that, scaled to ``RECENT_DAYS``. The pair is emerging when

    recent >= MIN_CASES  and  recent > expected + 3·sqrt(expected) + 2

that is, well above what a Poisson count with the history's rate would give
(a chance of about one in a thousand for a steady theme). A theme with no
history and ``MIN_CASES`` recent cases in one region is new, and emerging.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

RECENT_DAYS = 14
HISTORY_DAYS = 84
MIN_CASES = 5


def emerging_pairs(rows, *, today: dt.date) -> set[tuple[int, int | None]]:
    """The (theme, region) pairs that are emerging, from ``(theme, region, date)`` rows."""
    recent_from = today - dt.timedelta(days=RECENT_DAYS - 1)
    history_from = recent_from - dt.timedelta(days=HISTORY_DAYS)
    recent: Counter = Counter()
    history: Counter = Counter()
    for theme, region, day in rows:
        if theme is None or theme < 0 or day is None or day > today:
            continue
        if day >= recent_from:
            recent[(theme, region)] += 1
        elif day >= history_from:
            history[(theme, region)] += 1
    flagged = set()
    for key, count in recent.items():
        expected = history[key] * RECENT_DAYS / HISTORY_DAYS
        if count >= MIN_CASES and count > expected + 3 * math.sqrt(expected) + 2:
            flagged.add(key)
    return flagged


def emerging_themes(rows, *, today: dt.date) -> set[int]:
    """The themes with at least one emerging region."""
    return {theme for theme, _region in emerging_pairs(rows, today=today)}
