"""Public, anonymised statistics at ``/statistics/``: computed ahead, read per request.

``refresh()`` (the ``statistics_refresh`` command, every ten minutes beside
the web server) computes the indicators for all agencies over the last
twelve months, anonymises them (:func:`presentation.anonymise`: no cell
below ``SUARA_STATISTICS_MIN_CELL``, sensitive categories counted only as one
top-level row, no free text at all) and stores the result, with its charts
drawn once per language, in a :class:`~grievances.monitoring.models.StatisticsSnapshot`
row. Only anonymised figures are ever stored.

The page reads that row (kept in the cache for a minute, so a flood of
visitors costs one cache read each) and never aggregates. Before the first
refresh, one visitor computes it while the others see "being prepared".
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from grievances.monitoring.forms import default_period
from grievances.monitoring.indicators import Period, Scope, Sensitive, compute
from grievances.monitoring.models import StatisticsSnapshot
from grievances.monitoring.presentation import anonymise, figures, period_label, render_chart, sections

logger = logging.getLogger(__name__)

SNAPSHOT_KEY = "public"
CACHE_KEY = "suara:statistics:public:v1"
CACHE_SECONDS = 60
LOCK_KEY = "suara:statistics:public:computing"
LOCK_SECONDS = 300


def min_cell() -> int:
    return max(1, int(getattr(settings, "SUARA_STATISTICS_MIN_CELL", 10)))


def public_period(today: date) -> Period:
    return default_period(today)


def build(today: date | None = None) -> dict:
    """The anonymised snapshot: figures, and each chart drawn once per language."""
    today = today or timezone.localdate()
    report = compute(Scope(agency_ids=None, period=public_period(today), today=today, sensitive=Sensitive.TOP_LEVEL))
    data = anonymise(figures(report), min_cell())
    charts: dict[str, dict[str, dict[str, str]]] = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            charts[language] = {}
            for section in sections(data, charts=False, public=True):
                chart = render_chart(section.chart_spec)
                if chart is not None:
                    charts[language][section.id] = {"uri": chart.data_uri, "alt": chart.alt}
    return {"figures": data, "charts": charts}


def refresh(today: date | None = None) -> StatisticsSnapshot:
    """Compute and store the public snapshot (idempotent; the last one wins)."""
    data = build(today)
    snapshot, _created = StatisticsSnapshot.objects.update_or_create(
        key=SNAPSHOT_KEY, defaults={"data": data, "computed_at": timezone.now()}
    )
    cache.set(CACHE_KEY, _cached(snapshot), CACHE_SECONDS)
    return snapshot


def _cached(snapshot: StatisticsSnapshot) -> dict:
    return {"data": snapshot.data, "computed_at": snapshot.computed_at.isoformat()}


def current() -> dict | None:
    """The stored snapshot (from the cache when it is there), or None before the first refresh."""
    cached = cache.get(CACHE_KEY)
    if cached is not None:
        return cached
    snapshot = StatisticsSnapshot.objects.filter(key=SNAPSHOT_KEY).first()
    if snapshot is None:
        return None
    cached = _cached(snapshot)
    cache.set(CACHE_KEY, cached, CACHE_SECONDS)
    return cached


@require_GET
def statistics_page(request):
    """The public statistics; "being prepared" until the first snapshot exists."""
    stored = current()
    if stored is None and cache.add(LOCK_KEY, 1, LOCK_SECONDS):
        # The very first visit computes once; everyone else meanwhile sees
        # "being prepared" rather than starting the same work again.
        try:
            snapshot = refresh()
            stored = _cached(snapshot)
        except Exception:
            logger.exception("public statistics could not be computed")
        finally:
            cache.delete(LOCK_KEY)
    if stored is None:
        response = render(request, "grievances/monitoring/public.html", {"preparing": True}, status=200)
        response["Retry-After"] = "60"
        # Not to be kept by the page cache or anyone else: it says "come back".
        add_never_cache_headers(response)
        return response
    data = stored["data"]["figures"]
    charts = stored["data"]["charts"].get(translation.get_language() or settings.LANGUAGE_CODE) or stored["data"][
        "charts"
    ].get(settings.LANGUAGE_CODE, {})
    page_sections = sections(data, charts=False, public=True)
    for section in page_sections:
        chart = charts.get(section.id)
        section.stored_chart = chart
    return render(
        request,
        "grievances/monitoring/public.html",
        {
            "preparing": False,
            "data": data,
            "sections": page_sections,
            "period_label": period_label(data),
            "computed_at": timezone.localtime(datetime.fromisoformat(stored["computed_at"])),
            "min_cell": data["min_cell"],
        },
    )
