"""The results charts: pygal SVG shown as an image, with its words, no script, the same bytes for the same figures."""

import re
from types import SimpleNamespace

from consultations.charts import GROUP_COLOURS, question_chart
from consultations.selectors import Cell, OptionRow, QuestionStatistics
from tests.factories import HOSTILE

GROUPS = [
    ("workers", "Workers' organizations"),
    ("employers", "Employers' organizations"),
    ("individuals", "Individuals"),
]


def statistics(answered=(4, 2, 0)) -> QuestionStatistics:
    rows = [
        OptionRow("yes", f"Yes {HOSTILE}", Cell(4, 6), [Cell(3, answered[0]), Cell(1, answered[1]), Cell(0, 0)]),
        OptionRow("no", "No", Cell(2, 6), [Cell(1, answered[0]), Cell(1, answered[1]), Cell(0, 0)]),
    ]
    question = SimpleNamespace(id=7, text=f"Extend coverage? {HOSTILE}")
    return QuestionStatistics(question=question, rows=rows, answered_total=6, answered_by_group=list(answered))


def test_a_chart_is_an_image_with_a_title_its_figures_and_no_script():
    chart = question_chart(statistics(), GROUPS)
    svg = chart.svg.decode()
    assert "<script" not in svg.replace("&lt;script", "") and "alert" not in svg.replace("&lt;script&gt;alert", "")
    assert 'role="img"' in svg and re.search(r"<(\w+:)?title>", svg)
    assert "Extend coverage?" in chart.alt and "table below" in chart.alt
    # Every bar names its group with its figure; a group that did not answer gets no bars.
    for text in (
        "Workers' organizations 75% (3)",
        "Employers' organizations 50% (1)",
        "Workers' organizations 25% (1)",
    ):
        assert text.replace("'", "&#x27;") in svg or text in svg
    assert "Individuals" not in svg
    assert GROUP_COLOURS["workers"] in svg and GROUP_COLOURS["employers"] in svg
    assert "DejaVu Sans" in svg  # a font WeasyPrint finds for the PDF report


def test_the_same_figures_draw_the_same_bytes():
    assert question_chart(statistics(), GROUPS).svg == question_chart(statistics(), GROUPS).svg


def test_no_chart_when_no_group_answered():
    assert question_chart(statistics(answered=(0, 0, 0)), GROUPS) is None
