"""A theme's figures as a reader sees them: exact for their own agencies' staff, suppressed for oversight.

Suppression is the statistics' own (``grievances.monitoring.suppression``):
every count under ``SUARA_STATISTICS_MIN_CELL`` (zero included) reads "fewer
than N", and the theme's breakdowns — its weeks (with the cases before them),
its regions, its agencies, its channels — each add up to its size, so each is
a sum in which a hidden count must not be recoverable by subtraction: the
same complementary suppression withholds a figure beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _

from grievances.insights.selectors import ThemeCounts
from grievances.models import Grievance
from grievances.monitoring.suppression import SUPPRESSED, WITHHELD, protect
from portal.lib.charts import Chart, cached_chart

BREAKDOWNS = ("regions", "agencies", "channels")


@dataclass(frozen=True)
class Cell:
    label: str
    value: object  # an int, SUPPRESSED or WITHHELD
    text: str  # how it reads: the number, or why it is hidden

    @property
    def shown(self) -> bool:
        return isinstance(self.value, int)


def _suppressed(counts: ThemeCounts, min_cell: int) -> dict:
    """The counts with every small one suppressed and whatever would reveal one withheld."""

    def cell(n: int):
        return n if n >= min_cell else SUPPRESSED

    data = {
        "size": cell(counts.size),
        "weeks": [cell(n) for n in counts.weeks],
        "earlier": cell(counts.earlier),
        **{name: {key: cell(n) for key, n in getattr(counts, name).items()} for name in BREAKDOWNS},
    }
    sums = [(("size",), [*(("weeks", i) for i in range(len(counts.weeks))), ("earlier",)])]
    sums += [(("size",), [(name, key) for key in data[name]]) for name in BREAKDOWNS]
    return protect(data, min_cell, sums)


def theme_figures(counts: ThemeCounts, *, exact: bool, min_cell: int) -> dict:
    """Rows of (label, value) for the page: the weeks, then each breakdown largest first."""
    data = (
        {
            "size": counts.size,
            "weeks": list(counts.weeks),
            "earlier": counts.earlier,
            **{name: dict(getattr(counts, name)) for name in BREAKDOWNS},
        }
        if exact
        else _suppressed(counts, min_cell)
    )
    channels = dict(Grievance.Channel.choices)
    labels = {
        "regions": lambda key: counts.region_names.get(key) or _("No region"),
        "agencies": lambda key: counts.agency_names.get(key) or "",
        "channels": lambda key: str(channels.get(key, key)),
    }
    hidden = hidden_texts(min_cell)

    def cell(label: str, value) -> Cell:
        return Cell(label, value, formats.number_format(value) if isinstance(value, int) else hidden[value])

    def order(item: Cell):
        # Largest first; hidden figures after the shown ones, by name, so that order gives nothing away.
        return (0, -item.value, item.label) if item.shown else (1, 0, item.label)

    return {
        "size": cell(_("Cases"), data["size"]),
        "weeks": [
            cell(formats.date_format(start, "SHORT_DATE_FORMAT"), value)
            for start, value in zip(counts.week_starts, data["weeks"], strict=True)
        ],
        "earlier": cell(_("Before these weeks"), data["earlier"]),
        **{
            name: sorted((cell(labels[name](key), value) for key, value in data[name].items()), key=order)
            for name in BREAKDOWNS
        },
    }


def trend_chart(label: str, weeks: list[Cell]) -> Chart:
    """Bars of cases per week; a hidden week has no bar (the table beside it says why)."""
    spec = {
        "title": _("Cases per week, by when it happened"),
        "labels": [cell.label for cell in weeks],
        "series": {_("Cases"): [cell.value if cell.shown else None for cell in weeks]},
        "alt": _("Cases per week of the theme “%(theme)s”; the table below gives the same figures.") % {"theme": label},
        "height": 260,
    }
    return cached_chart("insights:trend:v1", spec)


def hidden_texts(min_cell: int) -> dict:
    """How a hidden figure reads (the words of /statistics/)."""
    return {
        SUPPRESSED: _("fewer than %(n)s") % {"n": min_cell},
        WITHHELD: _("not shown, so that a smaller figure cannot be worked out"),
    }
