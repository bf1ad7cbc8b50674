"""From a :class:`~grievances.monitoring.indicators.Report` to what a page, a PDF or a CSV shows.

Three steps, so that the public page can store the middle one:

1. :func:`figures` turns a report into plain JSON-able numbers;
2. :func:`anonymise` (public statistics only) suppresses every cell below
   the minimum count, merges small categories and drops what must never be
   public;
3. :func:`sections` turns figures into titled tables (and, when asked,
   charts), the same for the dashboard, the monthly PDF and ``/statistics/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from grievances.models import Grievance
from grievances.monitoring.indicators import SENSITIVE_KEY, Report
from grievances.monitoring.suppression import SUPPRESSED, WITHHELD, protect
from portal.lib.charts import Chart, bar_chart, cached_chart, line_chart
from portal.lib.localized import localized

OTHER_KEY = "other"
TOP_CATEGORIES = 6


def _pct(numerator: int, denominator: int) -> float | None:
    return round(100 * numerator / denominator, 1) if denominator else None


def figures(report: Report) -> dict:
    """Every number the pages show, as plain data (dates as ISO strings)."""
    scope = report.scope
    return {
        "period": {"start": scope.period.start.isoformat(), "end": scope.period.end.isoformat()},
        "today": scope.today.isoformat(),
        "months": [month.strftime("%Y-%m") for month in report.months],
        "headline": {
            "received": report.received,
            "ack_settled": report.acknowledged_on_time.denominator,
            "ack_on_time": report.acknowledged_on_time.numerator,
            "ack_on_time_pct": report.acknowledged_on_time.percent,
            "resolved": report.resolved,
            "resolved_due": report.resolved_on_time.denominator,
            "resolved_on_time": report.resolved_on_time.numerator,
            "resolved_on_time_pct": report.resolved_on_time.percent,
            "median_days": report.median_days,
            "p90_days": report.p90_days,
            "open_past_deadline": report.open_past_deadline,
            "appeals_open": report.appeals_open,
            "accepted": report.accepted,
            "appealed": report.appealed,
            "satisfaction_pct": report.satisfaction.percent,
            "appeals_upheld": report.appeals_upheld,
            "appeals_dismissed": report.appeals_dismissed,
        },
        "decisions": dict(report.decisions),
        "categories": [
            {"key": c.key, "label": c.label, "names": c.names, "total": c.total, "by_month": list(c.by_month)}
            for c in report.categories
        ],
        "referrals": [
            {
                "from": r.from_agency,
                "to": r.to_agency,
                "made": r.made,
                "pending": r.pending,
                "accepted": r.accepted,
                "returned": r.returned,
                "mean_wait_days": r.mean_wait_days,
                "longest_wait_days": r.longest_wait_days,
            }
            for r in report.referrals
        ],
        "channel": dict(report.by_channel),
        "region": dict(report.by_region),
        "region_names": dict(report.region_names),
        "sex_gender": dict(report.by_sex_gender),
        "agencies": [
            {
                "name": a.name,
                "received": a.received,
                "resolved": a.resolved,
                "resolved_due": a.resolved_on_time.denominator,
                "resolved_on_time_pct": a.resolved_on_time.percent,
                "open_past_deadline": a.open_past_deadline,
            }
            for a in report.agencies
        ],
    }


# --- the minimum-cell rule -------------------------------------------------------


def _cell(value, min_cell: int):
    """A count, or SUPPRESSED when it is below the minimum (zero included: no cell under it is shown)."""
    if value is None:
        return None
    return value if value >= min_cell else SUPPRESSED


def _rate(pct, denominator: int, min_cell: int):
    return pct if denominator >= min_cell else SUPPRESSED


def anonymise(data: dict, min_cell: int) -> dict:
    """Public figures: no count below ``min_cell``, rates and times only over enough cases.

    Categories with fewer than ``min_cell`` cases in the period are merged
    into "other categories"; sensitive categories arrive already merged into
    one row (``Sensitive.TOP_LEVEL``). Referral routes keep their agencies'
    names (public bodies) but no figure below the minimum. Figures that would
    let a hidden one be worked out by subtraction are withheld too
    (:func:`~grievances.monitoring.suppression.protect`).
    """
    h = data["headline"]
    headline = {
        "received": _cell(h["received"], min_cell),
        "ack_on_time_pct": _rate(h["ack_on_time_pct"], h["ack_settled"], min_cell),
        "resolved": _cell(h["resolved"], min_cell),
        "resolved_on_time_pct": _rate(h["resolved_on_time_pct"], h["resolved_due"], min_cell),
        "median_days": h["median_days"] if h["resolved"] >= min_cell else SUPPRESSED,
        "p90_days": h["p90_days"] if h["resolved"] >= min_cell else SUPPRESSED,
        "open_past_deadline": _cell(h["open_past_deadline"], min_cell),
        "appeals_open": _cell(h["appeals_open"], min_cell),
        "accepted": _cell(h["accepted"], min_cell),
        "appealed": _cell(h["appealed"], min_cell),
        "satisfaction_pct": _rate(h["satisfaction_pct"], h["accepted"] + h["appealed"], min_cell),
        "appeals_upheld": _cell(h["appeals_upheld"], min_cell),
        "appeals_dismissed": _cell(h["appeals_dismissed"], min_cell),
    }
    months = len(data["months"])
    kept, other = [], {"key": OTHER_KEY, "label": "", "total": 0, "by_month": [0] * months}
    for category in data["categories"]:
        if category["total"] >= min_cell or category["key"] == SENSITIVE_KEY:
            kept.append(category)
        else:
            other["total"] += category["total"]
            other["by_month"] = [a + b for a, b in zip(other["by_month"], category["by_month"], strict=True)]
    if other["total"]:
        kept.append(other)
    categories = [
        {
            "key": c["key"],
            "label": c["label"],
            "names": c.get("names") or {},
            "total": _cell(c["total"], min_cell),
            "by_month": [_cell(n, min_cell) for n in c["by_month"]],
        }
        for c in kept
    ]
    referrals = []
    for r in data["referrals"]:
        enough = r["made"] >= min_cell
        referrals.append(
            {
                "from": r["from"],
                "to": r["to"],
                "made": _cell(r["made"], min_cell),
                "pending": _cell(r["pending"], min_cell),
                "accepted": _cell(r["accepted"], min_cell),
                "returned": _cell(r["returned"], min_cell),
                "mean_wait_days": r["mean_wait_days"] if enough else SUPPRESSED,
                "longest_wait_days": SUPPRESSED,  # one case's wait: never public
            }
        )
    public = {
        "period": data["period"],
        "today": data["today"],
        "months": data["months"],
        "min_cell": min_cell,
        "headline": headline,
        "decisions": {key: _cell(n, min_cell) for key, n in data["decisions"].items()},
        "categories": categories,
        "referrals": referrals,
        "channel": {key: _cell(n, min_cell) for key, n in data["channel"].items()},
        "region": {key: _cell(n, min_cell) for key, n in data["region"].items()},
        "region_names": dict(data.get("region_names") or {}),
        "sex_gender": {key: _cell(n, min_cell) for key, n in data["sex_gender"].items()},
        "agencies": [
            {
                "name": a["name"],
                "received": _cell(a["received"], min_cell),
                "resolved": _cell(a["resolved"], min_cell),
                "resolved_on_time_pct": _rate(a["resolved_on_time_pct"], a["resolved_due"], min_cell),
                "open_past_deadline": _cell(a["open_past_deadline"], min_cell),
            }
            for a in data["agencies"]
        ],
    }
    return protect(public, min_cell)


# --- sections: titled tables and charts ----------------------------------------------


@dataclass
class Table:
    caption: str
    head: list[str]
    rows: list[list[str]]


@dataclass
class Section:
    id: str
    title: str
    table: Table
    note: str = ""
    chart: Chart | None = None
    chart_spec: dict | None = field(default=None, repr=False)

    @property
    def chart_uri(self) -> str:
        return self.chart.data_uri if self.chart else ""

    @property
    def chart_alt(self) -> str:
        return self.chart.alt if self.chart else ""


class Formatter:
    """Cells as text: counts grouped, rates with %, suppressed cells in words, nothing as a dash."""

    def __init__(self, min_cell: int | None = None, *, raw: bool = False):
        self.min_cell = min_cell
        self.raw = raw

    def __call__(self, value, kind: str = "count") -> str:
        if value == SUPPRESSED:
            return _("fewer than %(n)s") % {"n": self.min_cell}
        if value == WITHHELD:
            return _("not shown, so that a smaller figure cannot be worked out")
        if value is None:
            return "" if self.raw else "—"
        if self.raw:
            return str(value)
        if kind == "pct":
            # Where the sign goes, and whether a space comes before it, is the language's.
            return _("%(number)s %%") % {"number": formats.number_format(value, 1)}
        if kind == "days":
            return formats.number_format(value, 1)
        return formats.number_format(value, 0, force_grouping=True)


def _plot(value):
    return None if value in (None, SUPPRESSED, WITHHELD) else value


def _month_label(value: str) -> str:
    from datetime import date

    year, month = value.split("-")
    return formats.date_format(date(int(year), int(month), 1), "M Y")


def channel_label(value: str) -> str:
    try:
        return str(Grievance.Channel(value).label)
    except ValueError:
        return value


def sex_gender_label(value: str) -> str:
    if value == Grievance.SexGender.NOT_GIVEN:
        return _("Not given")
    try:
        return str(Grievance.SexGender(value).label)
    except ValueError:
        return value


def region_label(data: dict):
    """Regions are keyed by their default name; shown in the reader's language (figures keep the names)."""
    names = data.get("region_names") or {}
    return lambda value: localized(names.get(value), value) if value else _("Not given")


def category_label(category: dict) -> str:
    if category["key"] == SENSITIVE_KEY:
        return _("Sensitive categories (counted together)")
    if category["key"] == OTHER_KEY:
        return _("Other categories")
    # Figures keep the theme's names in every language: a snapshot computed once reads in each.
    return localized(category.get("names"), category["label"])


def _ordered(values: dict, kind: str) -> list[str]:
    """Keys in the order the page shows them: the choices' order, regions by name (not given last)."""
    order = {
        "decision": Grievance.Decision.values,
        "channel": Grievance.Channel.values,
        "sex_gender": Grievance.SexGender.values,
    }.get(kind)
    if order is None:
        return sorted(values, key=lambda name: (name == "", name))
    return [key for key in order if key in values] + sorted(key for key in values if key not in order)


def sections(data: dict, *, charts: bool = True, public: bool = False, raw: bool = False) -> list[Section]:
    """The page's sections in order.

    ``charts=False`` leaves the SVGs out (CSV, or charts stored elsewhere);
    ``raw=True`` writes plain numbers (CSV) instead of grouped ones.
    """
    fmt = Formatter(data.get("min_cell"), raw=raw)
    h = data["headline"]
    result: list[Section] = []

    # Deadlines and satisfaction, as percentages.
    rates = [
        (_("Acknowledged within deadline"), h["ack_on_time_pct"]),
        (_("Resolved within deadline"), h["resolved_on_time_pct"]),
        (_("Decisions accepted (not appealed)"), h["satisfaction_pct"]),
    ]
    rows = [
        [_("Grievances received"), fmt(h["received"])],
        [_("Acknowledged within deadline"), fmt(h["ack_on_time_pct"], "pct")],
        [_("Decided"), fmt(h["resolved"])],
        [_("Resolved within deadline"), fmt(h["resolved_on_time_pct"], "pct")],
        [_("Median days to resolve (calendar days)"), fmt(h["median_days"], "days")],
        [_("90th percentile of days to resolve (calendar days)"), fmt(h["p90_days"], "days")],
        [_("Open past their deadline today"), fmt(h["open_past_deadline"])],
        [_("Decisions accepted"), fmt(h["accepted"])],
        [_("Decisions appealed"), fmt(h["appealed"])],
        [_("Decisions accepted (not appealed)"), fmt(h["satisfaction_pct"], "pct")],
        [_("Appeals upheld"), fmt(h["appeals_upheld"])],
        [_("Appeals dismissed"), fmt(h["appeals_dismissed"])],
        [_("Appeals waiting for a decision today"), fmt(h["appeals_open"])],
    ]
    section = Section(
        "headline",
        _("Headline indicators"),
        Table(_("Headline indicators for the period"), [_("Indicator"), _("Value")], rows),
    )
    section.chart_spec = {
        "kind": "bar",
        "title": _("Deadlines met and decisions accepted (%)"),
        "labels": [label for label, _value in rates],
        "series": {_("Per cent"): [_plot(value) for _label, value in rates]},
        "percent": True,
        "horizontal": True,
        "alt": _(
            "Bar chart of the share acknowledged and resolved within deadline and of decisions accepted; "
            "the table gives the figures."
        ),
    }
    result.append(section)

    # Decisions by outcome.
    decisions = data["decisions"]
    result.append(
        Section(
            "decisions",
            _("Decisions"),
            Table(
                _("Decisions made in the period, by outcome"),
                [_("Decision"), _("Cases")],
                [[str(Grievance.Decision(key).label), fmt(decisions[key])] for key in _ordered(decisions, "decision")],
            ),
        )
    )

    # Categories, and their trend month by month.
    months = data["months"]
    categories = data["categories"]
    top = categories[:TOP_CATEGORIES]
    section = Section(
        "categories",
        _("Top categories, month by month"),
        Table(
            _("Grievances received by theme and month"),
            [_("Theme"), *[_month_label(m) for m in months], _("Total")],
            [[category_label(c), *[fmt(n) for n in c["by_month"]], fmt(c["total"])] for c in categories],
        ),
    )
    if top and months:
        section.chart_spec = {
            "kind": "line",
            "title": _("Top themes, grievances received per month"),
            "labels": [_month_label(m) for m in months],
            "series": {category_label(c): [_plot(n) for n in c["by_month"]] for c in top},
            "alt": _(
                "Line chart of grievances received per month for the biggest themes; the table gives the figures."
            ),
        }
    result.append(section)

    # Who is heard: channel, sex/gender, region.
    for key, title, caption, label in (
        ("channel", _("How grievances arrive"), _("Grievances received by channel"), channel_label),
        ("sex_gender", _("Sex or gender, where given"), _("Grievances received by sex or gender"), sex_gender_label),
        ("region", _("Regions"), _("Grievances received by region"), region_label(data)),
    ):
        # Stored snapshots (jsonb) do not keep key order: put it back.
        values = {k: data[key][k] for k in _ordered(data[key], key)}
        section = Section(
            key, title, Table(caption, [title, _("Cases")], [[label(k), fmt(n)] for k, n in values.items()])
        )
        if key != "region" and values:
            section.chart_spec = {
                "kind": "bar",
                "title": caption,
                "labels": [label(k) for k in values],
                "series": {_("Cases"): [_plot(n) for n in values.values()]},
                "horizontal": True,
                "alt": _("Bar chart: %(caption)s; the table gives the figures.") % {"caption": caption},
            }
        if public:
            section.note = _("Sensitive categories are not included in this breakdown.")
        result.append(section)

    # Referrals: where referred cases wait longest.
    referrals = data["referrals"]
    section = Section(
        "referrals",
        _("Referrals between agencies"),
        Table(
            _("Referrals made in the period by route, longest waits first"),
            [
                _("From"),
                _("To"),
                _("Referrals"),
                _("Waiting"),
                _("Accepted"),
                _("Returned"),
                _("Mean days waiting for an answer"),
                _("Longest wait (days)"),
            ],
            [
                [
                    r["from"],
                    r["to"],
                    fmt(r["made"]),
                    fmt(r["pending"]),
                    fmt(r["accepted"]),
                    fmt(r["returned"]),
                    fmt(r["mean_wait_days"], "days"),
                    fmt(r["longest_wait_days"], "days"),
                ]
                for r in referrals
            ],
        ),
        note=_("No referrals in this period.") if not referrals else "",
    )
    waits = [r for r in referrals if _plot(r["mean_wait_days"]) is not None][:8]
    if waits:
        section.chart_spec = {
            "kind": "bar",
            "title": _("Mean days a referral waits for the receiving agency"),
            # The arrow is the translator's: a right-to-left language points it the other way.
            "labels": [_("%(from)s → %(to)s") % {"from": r["from"], "to": r["to"]} for r in waits],
            "series": {_("Days"): [r["mean_wait_days"] for r in waits]},
            "horizontal": True,
            "alt": _(
                "Bar chart of the mean days referrals wait, by route, longest first; the table gives the figures."
            ),
        }
    result.append(section)

    # Agencies side by side (all agencies, and the public page).
    agencies = data["agencies"]
    if agencies:
        section = Section(
            "agencies",
            _("Agencies"),
            Table(
                _("Indicators by agency"),
                [_("Agency"), _("Received"), _("Decided"), _("Resolved within deadline"), _("Open past deadline")],
                [
                    [
                        a["name"],
                        fmt(a["received"]),
                        fmt(a["resolved"]),
                        fmt(a["resolved_on_time_pct"], "pct"),
                        fmt(a["open_past_deadline"]),
                    ]
                    for a in agencies
                ],
            ),
        )
        section.chart_spec = {
            "kind": "bar",
            "title": _("Resolved within deadline, by agency (%)"),
            "labels": [a["name"] for a in agencies],
            "series": {_("Per cent"): [_plot(a["resolved_on_time_pct"]) for a in agencies]},
            "percent": True,
            "horizontal": True,
            "alt": _("Bar chart of the share resolved within deadline by agency; the table gives the figures."),
        }
        result.append(section)

    if charts:
        for section in result:
            section.chart = render_chart(section.chart_spec)
    return result


def render_chart(spec: dict | None) -> Chart | None:
    """The chart for ``spec``; the same figures give the same SVG, so it is kept in the cache a while."""
    if not spec:
        return None
    return cached_chart("suara:chart:v1", spec, _draw)


def _draw(spec: dict) -> Chart:
    if spec["kind"] == "line":
        return line_chart(title=spec["title"], labels=spec["labels"], series=spec["series"], alt=spec["alt"])
    return bar_chart(
        title=spec["title"],
        labels=spec["labels"],
        series=spec["series"],
        alt=spec["alt"],
        horizontal=spec.get("horizontal", False),
        percent=spec.get("percent", False),
    )


def period_label(data: dict) -> str:
    from datetime import date

    start, end = date.fromisoformat(data["period"]["start"]), date.fromisoformat(data["period"]["end"])
    days = (end - start).days + 1
    return ngettext("%(start)s to %(end)s (%(days)s day)", "%(start)s to %(end)s (%(days)s days)", days) % {
        "start": formats.date_format(start),
        "end": formats.date_format(end),
        "days": days,
    }
