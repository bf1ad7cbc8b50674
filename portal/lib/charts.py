"""Charts as standalone SVG images, drawn by pygal, for pages and PDFs alike.

Why images: the site's CSP forbids inline styles and scripts, and pygal's SVG
carries a ``<style>`` element. Shown through ``<img src="data:image/svg+xml…">``
(the CSP's ``img-src`` allows ``data:``) the SVG is its own document, styled
by itself, and never runs a script (images cannot, and the ones pygal adds
are removed here anyway). WeasyPrint draws the same data URL in PDFs.

Every chart is an image with a short ``alt`` text and must be followed on
the page by a table of the same figures (screen readers, printing, people
who prefer numbers); bars and points carry their values as text, so colour
is never the only cue.
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

import pygal
from pygal.style import Style

SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")

# Dark enough for 3:1 against white (WCAG 1.4.11) and apart in hue for most colour vision.
COLOURS = ("#1f4e99", "#8a4b00", "#0b5e55", "#6b2c91", "#4a5560", "#a3123a", "#305a1a", "#1b1f24")

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1b1f24",
    foreground_strong="#1b1f24",
    foreground_subtle="#59636e",
    opacity="1",
    opacity_hover="1",
    colors=COLOURS,
    font_family="DejaVu Sans, Noto Sans, Arial, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    value_font_size=12,
    legend_font_size=13,
    title_font_size=15,
    tooltip_font_size=12,
)


@dataclass(frozen=True)
class Chart:
    """An SVG chart and the words that stand for it."""

    svg: bytes
    alt: str

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg).decode("ascii")


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[float | None]],
    alt: str,
    horizontal: bool = False,
    percent: bool = False,
    width: int = 720,
    height: int | None = None,
) -> Chart:
    """Bars for one or more series over ``labels`` (values printed on the bars)."""
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    if height is None:
        height = max(260, 60 + 28 * len(labels) * max(1, len(series))) if horizontal else 360
    chart = kind(**_config(title, width, height, legend=len(series) > 1))
    if percent:
        chart.range = (0, 100)
        chart.value_formatter = lambda value: f"{value:.0f} %"
    else:
        chart.value_formatter = lambda value: f"{value:,.0f}"
    chart.x_labels = [_short(label) for label in labels]
    for name, values in series.items():
        chart.add(name, list(values))
    return Chart(_clean(chart.render(), title), alt)


def line_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[float | None]],
    alt: str,
    width: int = 720,
    height: int = 380,
) -> Chart:
    """A trend: one line per series over ``labels`` (e.g. months); points are marked and labelled."""
    chart = pygal.Line(**_config(title, width, height, legend=True), dots_size=3, x_label_rotation=30)
    chart.value_formatter = lambda value: f"{value:,.0f}"
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(_short(name, 40), list(values))
    return Chart(_clean(chart.render(), title), alt)


def _config(title: str, width: int, height: int, *, legend: bool) -> dict:
    return {
        "title": title,
        "width": width,
        "height": height,
        "style": STYLE,
        "js": [],  # no script: an image needs none, and pages allow none
        "print_values": True,
        "show_legend": legend,
        "legend_at_bottom": True,
        "truncate_legend": 40,
        "truncate_label": 30,
        "no_data_text": "",
        "show_y_guides": True,
        "disable_xml_declaration": False,
        "pretty_print": False,
        "explicit_size": True,
    }


def _short(label: str, limit: int = 30) -> str:
    label = str(label)
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _clean(svg: bytes, title: str) -> bytes:
    """Drop scripts and tooltips' hooks; make the root an accessible image with a title."""
    root = ET.fromstring(svg)  # noqa: S314 - our own output, not user-supplied XML
    for parent in root.iter():
        for child in list(parent):
            if child.tag in (f"{{{SVG_NS}}}script", "script"):
                parent.remove(child)
    root.set("role", "img")
    existing = root.find(f"{{{SVG_NS}}}title")
    if existing is None:
        element = ET.Element(f"{{{SVG_NS}}}title")
        element.text = title
        root.insert(0, element)
    return b"<?xml version='1.0' encoding='utf-8'?>\n" + ET.tostring(root, encoding="utf-8", xml_declaration=False)
