"""Reads of the insights wing, always through the case gate: a theme is its members this person may see.

Themes are computed over every case, but nobody sees a theme as such: they
see the members of it that ``Grievance.objects.visible_to`` lets them see,
and the theme's size is that count. A theme none of whose cases one may see
does not exist for them. Labels are made of glossary concepts, never of a
case's words, so they name no person.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.core.cache import cache
from django.db.models import Case, Count, F, Q, Value, When
from django.db.models.functions import Coalesce, NullIf, TruncDate

from grievances.insights import vectors
from grievances.insights.labels import theme_label
from grievances.insights.models import CaseVector, Membership, Refresh, Theme
from grievances.models import SENSITIVE, Grievance, staff_agencies
from portal.lib.localized import localized

# How many candidates ``similar`` compares a case with (its theme's most recent cases, or the most recent ones).
CANDIDATES = 1000
# How much the numbers a text mentions count in ``similar`` (docs/insights.md).
NUMBERS_WEIGHT = 0.5


@dataclass
class ThemeView:
    id: int
    label: str
    size: int
    emerging: bool
    cases: list[str] = field(default_factory=list)
    regions: list = field(default_factory=list)
    channels: list = field(default_factory=list)
    form: object = None


def last_refresh() -> Refresh | None:
    return Refresh.objects.order_by("-computed_at", "-pk").first()


# New cases join a theme as they arrive (at intake's 100 a second): readers of the API's themes may
# see them up to a minute late rather than every reader recomputing the themes of 50,000 cases.
THEMES_CACHE_SECONDS = 60
GENERATION_KEY = "insights:generation"


def changed() -> None:
    """Themes read from the cache are stale (a refresh ran: its id is in the key too)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def themes_for_api(user) -> list[ThemeView]:
    """``themes_for`` with every case, cached per refresh and set of agencies the person may see, for a minute.

    Two people with the same agencies (and focal-point agencies) see the same cases through the gate,
    so they share the entry; a refresh starts a new one, newly placed cases appear within a minute.
    """
    refresh = last_refresh()
    key = "insights:themes:{}:{}:{}:{}".format(
        refresh.pk if refresh else 0,
        cache.get(GENERATION_KEY, 0),
        ",".join(map(str, staff_agencies(user))),
        ",".join(map(str, staff_agencies(user, focal_only=True))),
    )
    return cache.get_or_set(key, lambda: themes_for(user), THEMES_CACHE_SECONDS)


def themes_for(user, *, cases=None, with_cases: bool = True, limit_cases: int | None = None) -> list[ThemeView]:
    """The themes with at least one case ``user`` may see, largest first, sized by those cases.

    ``cases``: a narrower set of the cases ``visible_to(user)`` (the agencies one supervises).
    """
    visible = cases if cases is not None else Grievance.objects.visible_to(user)
    rows = (
        visible.filter(insights_membership__isnull=False)
        .values(theme_id=F("insights_membership__theme_id"))
        .annotate(size=Count("pk"))
        .order_by("-size", "theme_id")
    )
    sizes = {row["theme_id"]: row["size"] for row in rows}
    themes = {theme.pk: theme for theme in Theme.objects.filter(pk__in=sizes).only("pk", "concepts", "emerging")}
    views = {
        pk: ThemeView(id=pk, label=theme_label(themes[pk].concepts), size=size, emerging=themes[pk].emerging)
        for pk, size in sizes.items()
        if pk in themes
    }
    if with_cases and views:
        members = (
            visible.filter(insights_membership__theme_id__in=list(views))
            .order_by("insights_membership__theme_id", "-insights_membership__score", "pk")
            .values_list("insights_membership__theme_id", "reference")
        )
        for theme_id, reference in members.iterator(chunk_size=5000):
            cases = views[theme_id].cases
            if limit_cases is None or len(cases) < limit_cases:
                cases.append(reference)
    return list(views.values())


def theme_breakdown(cases, theme_ids) -> dict[int, dict]:
    """Per theme: ``cases`` (already through the gate) by region and by channel (the page suppresses small cells)."""
    visible = cases.filter(insights_membership__theme_id__in=list(theme_ids))
    out: dict[int, dict] = defaultdict(lambda: {"regions": {}, "channels": {}})
    for row in visible.values("insights_membership__theme_id", "region__name").annotate(n=Count("pk")).order_by():
        out[row["insights_membership__theme_id"]]["regions"][row["region__name"] or ""] = row["n"]
    for row in visible.values("insights_membership__theme_id", "channel").annotate(n=Count("pk")).order_by():
        out[row["insights_membership__theme_id"]]["channels"][row["channel"]] = row["n"]
    return out


@dataclass
class Similar:
    reference: str
    score: float
    same_theme: bool
    grievance: Grievance | None = None


def similar_to(user, grievance: Grievance, *, limit: int = 10) -> list[Similar]:
    """The cases ``user`` may see most like ``grievance``, most similar first, never ``grievance`` itself.

    Candidates are the most recent cases of its theme (or, unthemed, the most
    recent cases with a vector), compared on concepts, n-grams and the numbers
    they mention (a person lodging again repeats the amount and the day).
    """
    own = CaseVector.objects.filter(grievance=grievance).first()
    refresh = last_refresh()
    if own is None or refresh is None:
        return []
    theme_id = Membership.objects.filter(grievance=grievance).values_list("theme_id", flat=True).first()
    # The theme's most recent members within the person's agencies first (an index walk), then the gate
    # itself on those ids only: PostgreSQL looks them up by primary key instead of scanning every case.
    agencies = staff_agencies(user)
    if not agencies:
        return []
    if theme_id is not None:
        ids = []
        for agency in agencies:
            ids += (
                Membership.objects.filter(theme_id=theme_id, agency_id=agency)
                .order_by("-grievance_id")
                .values_list("grievance_id", flat=True)[:CANDIDATES]
            )
        # Cases referred to these agencies are owned by another: the gate lets them through, the index does not.
        ids += Grievance.objects.filter(
            referred_to_id__in=agencies, insights_membership__theme_id=theme_id
        ).values_list("pk", flat=True)[:CANDIDATES]
    else:
        ids = list(
            CaseVector.objects.order_by("-grievance_id").values_list("grievance_id", flat=True)[: CANDIDATES * 2]
        )
    rows = list(
        Grievance.objects.visible_to(user)
        .filter(pk__in=ids, insights_vector__isnull=False)
        .exclude(pk=grievance.pk)
        .order_by("-pk")
        .values_list("pk", "reference", "insights_vector__vector", "insights_vector__language")[:CANDIDATES]
    )
    # After a change of method and until the next refresh, vectors of two lengths coexist: like with like.
    width = len(bytes(own.vector))
    rows = [row for row in rows if len(bytes(row[2])) == width]
    if not rows:
        return []
    space = vectors.Space.from_dict(refresh.space)
    raw = np.vstack([np.frombuffer(bytes(row[2]), dtype=np.float16) for row in rows]).astype(np.float32)
    X = space.transform(raw, [row[3] for row in rows], numbers=NUMBERS_WEIGHT)
    x = space.transform(vectors.from_bytes(bytes(own.vector)), [own.language], numbers=NUMBERS_WEIGHT)[0]
    if not x.any():
        return []
    scores = X @ x
    order = np.argsort(-scores, kind="stable")[:limit]
    return [
        Similar(
            reference=rows[i][1], score=round(float(min(max(scores[i], 0.0), 1.0)), 4), same_theme=theme_id is not None
        )
        for i in order
        if scores[i] > 0
    ]


def similar_section(request, grievance: Grievance) -> tuple[str, dict] | None:
    """The staff case page's "similar cases" block: possible duplicates and the same failure elsewhere,
    among the cases this person may see."""
    similar = similar_to(request.user, grievance, limit=5)
    return ("grievances/insights/similar.html", {"similar": similar}) if similar else None


# --- one theme's page: its counts and its excerpts' candidates ------------------------------------

TREND_WEEKS = 12


@dataclass
class ThemeCounts:
    """A theme's cases among ``cases``: in all, per week (by when it happened), per region, agency and channel."""

    size: int
    week_starts: list  # Mondays, oldest first
    weeks: list[int]  # cases per week; a case dated after today counts in the last week
    earlier: int  # cases dated before the first week (the weeks and this add up to ``size``)
    regions: dict  # region id (None: no region) -> count
    agencies: dict  # agency id -> count
    channels: dict  # channel -> count
    region_names: dict = field(default_factory=dict)
    agency_names: dict = field(default_factory=dict)


def _day():
    # The emerging rule's date (grievances.insights.emerging): when it happened, else the (UTC) day it was lodged.
    return Coalesce("occurred_on", TruncDate("lodged_at", tzinfo=dt.UTC))


def theme_counts(cases, theme_id: int, *, today: dt.date, weeks: int = TREND_WEEKS) -> ThemeCounts:
    """The figures of one theme over ``cases`` (already through the reader's gate): four grouped queries."""
    members = cases.filter(insights_membership__theme_id=theme_id)
    first = today - dt.timedelta(days=today.weekday() + 7 * (weeks - 1))
    starts = [first + dt.timedelta(days=7 * i) for i in range(weeks)]
    per_week, earlier = [0] * weeks, 0
    for row in members.annotate(day=_day()).values("day").annotate(n=Count("pk")).order_by():
        day = row["day"]
        if day is None or day < first:
            earlier += row["n"]
        else:
            per_week[min((day - first).days // 7, weeks - 1)] += row["n"]
    regions, region_names = {}, {}
    # Names in the reader's language, read with the counts (no query per region or agency).
    for row in members.values("region_id", "region__name", "region__names").annotate(n=Count("pk")).order_by():
        regions[row["region_id"]] = row["n"]
        region_names[row["region_id"]] = localized(row["region__names"], row["region__name"] or "")
    agencies, agency_names = {}, {}
    for row in members.values("agency_id", "agency__name", "agency__names").annotate(n=Count("pk")).order_by():
        agencies[row["agency_id"]] = row["n"]
        agency_names[row["agency_id"]] = localized(row["agency__names"], row["agency__name"])
    channels = {row["channel"]: row["n"] for row in members.values("channel").annotate(n=Count("pk")).order_by()}
    return ThemeCounts(
        size=sum(per_week) + earlier,
        week_starts=starts,
        weeks=per_week,
        earlier=earlier,
        regions=regions,
        agencies=agencies,
        channels=channels,
        region_names=region_names,
        agency_names=agency_names,
    )


# How many of a theme's most typical cases are read to find excerpts (most yield one).
EXCERPT_CANDIDATES = 12


def excerpt_candidates(cases, theme_id: int, *, language: str) -> list[Grievance]:
    """The theme's cases closest to its centroid whose words may be excerpted, the reader's language first.

    Never a sensitive case (whoever reads), an anonymised one (past its
    retention), or one whose complainant asked to keep their identity
    confidential or whose organization withheld it: their words could say who they are.
    """
    written_in = Coalesce(NullIf("lodged_language", Value("")), "language")
    return list(
        cases.filter(insights_membership__theme_id=theme_id, anonymisation__isnull=True, narrative_sealed=False)
        .filter(~SENSITIVE)
        .exclude(confidentiality=Grievance.Confidentiality.CONFIDENTIAL)
        .exclude(member_identity_withheld=True)
        .alias(written_in=written_in)
        .annotate(other_language=Case(When(Q(written_in=language), then=Value(0)), default=Value(1)))
        .select_related("complainant")
        .order_by("other_language", "-insights_membership__score", "pk")[:EXCERPT_CANDIDATES]
    )
