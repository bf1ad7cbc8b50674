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
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pygal
from django.core.cache import cache
from pygal.style import Style

SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")

# Dark enough for 3:1 against white (WCAG 1.4.11) and apart in hue for most colour vision.
COLOURS = ("#1f4e99", "#8a4b00", "#0b5e55", "#6b2c91", "#4a5560", "#a3123a", "#305a1a", "#1b1f24")

_STYLE = dict(
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
STYLE = Style(**_STYLE)
# Room for one character of printed value text at 12 px (DejaVu Sans averages under 7 px).
CHAR_WIDTH = 7


@dataclass(frozen=True)
class Chart:
    """An SVG chart and the words that stand for it."""

    svg: bytes
    alt: str

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg).decode("ascii")

    @property
    def size(self) -> tuple[int, int]:
        """Width and height in pixels, for a page to keep the space before the image loads."""
        # Other libraries can take over ElementTree's prefix registry, so the root may be written "ns0:svg".
        root = re.search(rb"<(?:\w+:)?svg\b[^>]*>", self.svg)
        found = {m[1]: round(float(m[2])) for m in re.finditer(rb'\b(width|height)="([0-9.]+)"', root[0])}
        return found[b"width"], found[b"height"]


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
    colours: Sequence[str] | None = None,
    value_texts: dict[str, Sequence[str]] | None = None,
) -> Chart:
    """Bars for one or more series over ``labels`` (values printed on the bars).

    ``colours`` gives each series its own colour (one per series, in order), so that
    a series that stands for the same thing keeps its colour from chart to chart.
    ``value_texts`` replaces the printed values, per series and label, and must name
    the series and give the figure (e.g. "Workers 60% (3)"): no bar is then told apart
    by colour alone, so the legend, the value axis and its guides (which would run
    through the words) are left out. On horizontal bars the words follow the bar's end,
    in room kept free on the right, and the first label is drawn at the top, where a
    reader starts.
    """
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    if height is None:
        height = max(260, 60 + 28 * len(labels) * max(1, len(series))) if horizontal else 360
    config = _config(title, width, height, legend=len(series) > 1)
    if colours:
        config["style"] = Style(**{**_STYLE, "colors": tuple(colours)})
    labels = list(labels)
    series = {name: list(values) for name, values in series.items()}
    if value_texts is not None:
        texts = {name: list(value_texts[name]) for name in series}
        if horizontal:
            # pygal draws the first label at the bottom of a horizontal chart.
            labels.reverse()
            series = {name: values[::-1] for name, values in series.items()}
            texts = {name: values[::-1] for name, values in texts.items()}
            longest = max((len(text) for values in texts.values() for text in values), default=0)
            config["margin_right"] = CHAR_WIDTH * longest + 12
        # pygal names its axes as drawn upright: on a horizontal chart the values run along "x".
        axis = "x" if horizontal else "y"
        config.update(
            {"print_values_position": "top", "show_legend": False, f"show_{axis}_guides": False},
            **{f"show_{axis}_labels": False},
        )
    chart = kind(**config)
    if percent:
        chart.range = (0, 100)
        chart.value_formatter = lambda value: f"{value:.0f} %"
    else:
        chart.value_formatter = lambda value: f"{value:,.0f}"
    chart.x_labels = [_short(label) for label in labels]
    for name, values in series.items():
        if value_texts is None:
            chart.add(name, values)
        else:
            chart.add(
                name,
                [{"value": value, "formatter": _fixed(text)} for value, text in zip(values, texts[name], strict=True)],
            )
    return Chart(_clean(chart.render(), title, values_after_bars=horizontal and value_texts is not None), alt)


def _fixed(text: str):
    return lambda _value: text


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


def _clean(svg: bytes, title: str, *, values_after_bars: bool = False) -> bytes:
    """Drop scripts and tooltips' hooks; make the root an accessible image with a title."""
    root = ET.fromstring(svg)  # noqa: S314 - our own output, not user-supplied XML
    for parent in root.iter():
        for child in list(parent):
            # pygal's <desc> elements are data for the script's tooltips, which an image never shows.
            if child.tag in (f"{{{SVG_NS}}}script", "script", f"{{{SVG_NS}}}desc"):
                parent.remove(child)
        if values_after_bars and parent.tag == f"{{{SVG_NS}}}text" and "value" in parent.get("class", "").split():
            # pygal centres a value on the bar's end; words that start there stay clear of the bar.
            parent.set("text-anchor", "start")
    root.set("role", "img")
    existing = root.find(f"{{{SVG_NS}}}title")
    if existing is None:
        element = ET.Element(f"{{{SVG_NS}}}title")
        element.text = title
        root.insert(0, element)
    svg = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    # pygal names each chart with a random id (its CSS is scoped to it); named after its
    # content instead, the same figures give the same bytes: stable ETags, one cache entry.
    random_id = root.get("id", "").encode()
    if random_id:
        svg = svg.replace(random_id, b"chart-" + hashlib.sha256(svg.replace(random_id, b"")).hexdigest()[:16].encode())
    return b"<?xml version='1.0' encoding='utf-8'?>\n" + svg


# Drawing takes pygal milliseconds; the figures are the key, so a stale chart is never shown.
CHART_CACHE_SECONDS = 60 * 60


def cached_chart(prefix: str, spec: dict, draw: Callable[[dict], Chart] | None = None) -> Chart:
    """``draw(spec)`` (a bar chart by default), kept in the cache a while: the same figures give the same SVG."""
    key = f"{prefix}:" + hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()
    svg = cache.get(key)
    if svg is not None:
        return Chart(svg, spec["alt"])
    chart = draw(spec) if draw else bar_chart(**spec)
    cache.set(key, chart.svg, CHART_CACHE_SECONDS)
    return chart
