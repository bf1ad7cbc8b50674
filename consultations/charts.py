"""Server-side SVG bar charts for the results, drawn from ``QuestionStatistics``.

No JavaScript and no style attributes (the public CSP forbids inline
styles): geometry and colours are presentation attributes computed here and
written by ``consultations/includes/chart.html``. Every bar carries its
group's name and its figure as text, so colour is never the only cue; the
table under each chart holds the same figures for screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass

from consultations.selectors import QuestionStatistics

# Dark enough for 3:1 against white (WCAG 1.4.11), distinct in hue for most colour vision.
GROUP_COLOURS = {
    "workers": "#0b5e55",
    "employers": "#8a4b00",
    "government": "#1f4e99",
    "individuals": "#6b2c91",
    "others": "#4a5560",
}
TOTAL_COLOUR = "#1b1f24"

WIDTH = 640
LABEL_WIDTH = 190
BAR_MAX = 330
ROW = 18
BAR = 12
OPTION_HEADER = 22
OPTION_GAP = 10
LABEL_CHARS = 70


@dataclass
class Bar:
    y: int
    width: int
    fill: str
    group: str
    value: str
    text_y: int
    value_x: int


@dataclass
class OptionBlock:
    label: str
    label_y: int
    bars: list[Bar]


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def question_chart(stats: QuestionStatistics, groups: list[tuple[str, str]]) -> dict:
    """Geometry for one question's chart: a bar per stakeholder group that answered, per option."""
    shown = [(i, value, label) for i, (value, label) in enumerate(groups) if stats.answered_by_group[i]]
    y = 0
    blocks = []
    for row in stats.rows:
        label_y = y + 15
        y += OPTION_HEADER
        bars = []
        for index, value, label in shown:
            cell = row.by_group[index]
            bars.append(
                Bar(
                    y=y + (ROW - BAR) // 2,
                    width=max(round(BAR_MAX * cell.percent / 100), 1 if cell.count else 0),
                    fill=GROUP_COLOURS.get(value, TOTAL_COLOUR),
                    group=str(label),
                    value=f"{cell.percent}% ({cell.count})",
                    text_y=y + ROW - 5,
                    value_x=LABEL_WIDTH + 10 + max(round(BAR_MAX * cell.percent / 100), 1 if cell.count else 0) + 6,
                )
            )
            y += ROW
        blocks.append(OptionBlock(label=_short(row.label, LABEL_CHARS), label_y=label_y, bars=bars))
        y += OPTION_GAP
    return {
        "width": WIDTH,
        "height": max(y, 1),
        "label_width": LABEL_WIDTH,
        "bar_x": LABEL_WIDTH + 10,
        "blocks": blocks,
        "empty": not shown,
    }
