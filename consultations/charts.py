"""A question's results as a chart: one bar per stakeholder group that answered, per option.

Drawn by ``portal.lib.charts`` (pygal) like every other chart of the portal,
and shown by ``consultations/includes/chart.html`` on the results page and in
the outcome report alike.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from consultations.selectors import QuestionStatistics
from portal.lib.charts import Chart, cached_chart

# A group keeps its colour on every chart: dark enough for 3:1 against white (WCAG 1.4.11),
# distinct in hue for most colour vision.
GROUP_COLOURS = {
    "workers": "#0b5e55",
    "employers": "#8a4b00",
    "government": "#1f4e99",
    "individuals": "#6b2c91",
    "others": "#4a5560",
}
OTHER_COLOUR = "#1b1f24"
# Drawing takes pygal several milliseconds a chart, and a results page has one per question;
# the figures (and so the key) change with any response, so a stale chart is never shown.


def question_chart(stats: QuestionStatistics, groups: list[tuple[str, str]]) -> Chart | None:
    """The question's chart, or None when no group answered it (the table alone then says so)."""
    shown = [(i, value, str(label)) for i, (value, label) in enumerate(groups) if stats.answered_by_group[i]]
    if not shown:
        return None
    text = stats.question.text
    spec = {
        "title": text,
        "labels": [row.label for row in stats.rows],
        "series": {label: [row.by_group[i].percent for row in stats.rows] for i, _value, label in shown},
        # Each bar names its group, so colour is never the only cue.
        "value_texts": {
            label: [f"{label} {row.by_group[i].percent}% ({row.by_group[i].count})" for row in stats.rows]
            for i, _value, label in shown
        },
        "colours": [GROUP_COLOURS.get(value, OTHER_COLOUR) for _i, value, _label in shown],
        "alt": _("Chart of the answers to “%(q)s” by stakeholder group; the table below gives the same figures.")
        % {"q": text},
        "horizontal": True,
        "percent": True,
        "height": 50 + 22 * len(stats.rows) * len(shown) + 10 * len(stats.rows),
    }
    return cached_chart("consultations:chart:v1", spec)
