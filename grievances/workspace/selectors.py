"""What the workspace reads: a queue page, its tab counts, one case with its timeline.

Everything starts from ``Grievance.objects.visible_to(user)``. The queue
issues a fixed number of queries whatever the page size: one for all the tab
counts, one capped count of the filtered rows, one for the page.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache as once

from django.core.cache import cache
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from grievances import sla
from grievances.models import CaseEvent, Grievance, Referral
from grievances.references import normalize_reference
from grievances.workflow import CLOSED_STATES, OPEN_STATES, Status
from portal.models import Organization, User

# Counting every match of a common word is what makes search slow; past
# this, the page says "1,000+".
COUNT_CAP = 1000
COUNTS_CACHE_SECONDS = 60
# Search words are matched as whole words on PostgreSQL (a stored tsvector
# with a GIN index); elsewhere (SQLite, development) as a substring.
SEARCH_CONFIG = "simple"


def tab_conditions(user, agency, today: date) -> dict[str, Q]:
    open_ = Q(status__in=OPEN_STATES)
    return {
        "open": open_ & Q(agency=agency),
        "new": Q(status__in=[Status.LODGED, Status.ACKNOWLEDGED], assignee__isnull=True, agency=agency),
        "mine": open_ & Q(assignee=user),
        "unassigned": open_ & Q(assignee__isnull=True, agency=agency) & ~Q(status=Status.REFERRED),
        "awaiting": Q(status=Status.AWAITING_COMPLAINANT, agency=agency),
        # Bounded above so that an index range on due dates finds them.
        "at_risk": sla.state_filter(sla.SLAState.AT_RISK, today)
        & Q(agency=agency, due_on__lte=sla.at_risk_horizon(today)),
        "breached": sla.state_filter(sla.SLAState.BREACHED, today) & Q(agency=agency),
        "appeals": Q(status=Status.APPEALED, agency=agency),
        "referred_in": Q(status=Status.REFERRED, referred_to=agency),
        "closed": Q(status__in=CLOSED_STATES, agency=agency),
    }


TAB_LABELS = {
    "open": "All open",
    "new": "New",
    "mine": "Mine",
    "unassigned": "Unassigned",
    "awaiting": "Awaiting complainant",
    "at_risk": "At risk",
    "breached": "Breached",
    "appeals": "Appeals",
    "referred_in": "Referred to us",
    "closed": "Closed",
}


def agency_cases(user, agency, *, tab: str | None = None) -> QuerySet[Grievance]:
    """The cases of one agency's queue this person may see: its own, and referrals to it.

    Each tab asks for one side only (``agency=`` or ``referred_to=``): an OR of
    the two would hide from PostgreSQL that the (agency, due_on) index already
    gives the queue's order.
    """
    cases = Grievance.objects.visible_to(user)
    if tab == "referred_in":
        return cases.filter(referred_to=agency)
    if tab is not None:
        return cases.filter(agency=agency)
    return cases.filter(Q(agency=agency) | Q(referred_to=agency))


def tab_counts(user, agency, today: date) -> dict[str, int]:
    """Every tab's count, each capped at ``COUNT_CAP + 1``, in one query, kept briefly.

    Kept per person (their "mine" and what the read gate lets them count
    differ) until the agency's cases change or ``COUNTS_CACHE_SECONDS`` pass:
    counting ten tabs of a 50,000-case agency costs 100–200 ms on PostgreSQL
    even capped, and a queue is reloaded far more often than it changes.

    An exact count of a big agency's open cases reads every one of them; a
    capped count stops after 1,001 rows found through an index, so the cost
    no longer grows with the queue ("1,000+" is as useful a number). Counted
    through the read gate: sensitive cases count only for focal points.
    """
    key = f"queue-counts:{agency.pk}:{queue_version(agency.pk)}:{user.pk}:{today.isoformat()}"
    counts = cache.get(key)
    if counts is None:
        counts = _tab_counts(user, agency, today)
        cache.set(key, counts, COUNTS_CACHE_SECONDS)
    return counts


def queue_version(agency_id: int) -> int:
    """Moves on with every change to the agency's cases (``services._queue_changed``)."""
    return cache.get(f"queue-version:{agency_id}", 0)


def _tab_counts(user, agency, today: date) -> dict[str, int]:
    conditions = tab_conditions(user, agency, today)
    parts, params = [], []
    for name, condition in conditions.items():
        sql, sql_params = (
            agency_cases(user, agency, tab=name)
            .filter(condition)
            .order_by()
            .values("pk")[: COUNT_CAP + 1]
            .query.sql_with_params()
        )
        # Django-compiled SQL with its parameters kept apart; the names are our own tab names.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS {name}_rows) AS {name}")  # noqa: S608
        params.extend(sql_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return dict(zip(conditions, cursor.fetchone(), strict=True))


def count_label(count: int) -> str:
    return f"{COUNT_CAP:,}+" if count > COUNT_CAP else f"{count:,}"


def text_search(queryset: QuerySet[Grievance], words: str) -> QuerySet[Grievance]:
    if connection.vendor == "postgresql":
        # The words are a bound parameter; the rest is a constant. The model
        # does not declare the column (see migration 0002), hence raw SQL.
        return queryset.extra(  # noqa: S610
            where=[f"grievances_grievance.search_vector @@ plainto_tsquery('{SEARCH_CONFIG}', %s)"], params=[words]
        )
    return queryset.filter(description__icontains=words)


@dataclass
class QueuePage:
    rows: list[Grievance]
    number: int
    per_page: int
    has_next: bool
    total: int  # capped at COUNT_CAP + 1
    searched_reference: str | None = None

    @property
    def total_label(self) -> str:
        return f"{COUNT_CAP:,}+" if self.total > COUNT_CAP else f"{self.total:,}"

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def queue_page(user, agency, *, tab: str, filters: dict, page: int, per_page: int, today: date) -> QueuePage:
    """One page of a queue tab, most urgent first (earliest deadline; cases without one last)."""
    conditions = tab_conditions(user, agency, today)
    tab = tab if tab in conditions else "open"
    queryset = agency_cases(user, agency, tab=tab).filter(conditions[tab])
    searched_reference = None
    if words := (filters.get("q") or "").strip():
        if reference := normalize_reference(words):
            searched_reference = reference
            queryset = queryset.filter(reference=reference)
        else:
            queryset = text_search(queryset, words)
    if value := filters.get("status"):
        queryset = queryset.filter(status=value)
    if value := filters.get("category"):
        queryset = queryset.filter(category=value)
    if value := filters.get("sla"):
        queryset = queryset.filter(sla.state_filter(value, today))
    if value := filters.get("assignee"):
        queryset = queryset.filter(assignee__isnull=True) if value == "none" else queryset.filter(assignee_id=value)
    if value := filters.get("region"):
        queryset = queryset.filter(region=value)
    if value := filters.get("channel"):
        queryset = queryset.filter(channel=value)
    if value := filters.get("lodged_from"):
        queryset = queryset.filter(lodged_at__gte=timezone.make_aware(datetime.combine(value, time.min)))
    if value := filters.get("lodged_to"):
        queryset = queryset.filter(lodged_at__lte=timezone.make_aware(datetime.combine(value, time.max)))

    if tab == "closed":
        ordering = [F("closed_at").desc(nulls_last=True), "-pk"]
    else:
        ordering = [F("due_on").asc(nulls_last=True), "pk"]
    total = queryset.order_by()[: COUNT_CAP + 1].count()
    start = (page - 1) * per_page
    rows = list(
        queryset.select_related("category__parent", "assignee", "agency", "referred_to").order_by(*ordering)[
            start : start + per_page + 1
        ]
    )
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    statuses = choice_labels(Status.choices)
    for row in rows:
        row.sla_state = sla.state(row, today)
        row.status_label = statuses.get(row.status, row.status)
    return QueuePage(rows, page, per_page, has_next, total, searched_reference)


def case_for_staff(user, reference: str) -> Grievance | None:
    """One case through the read gate, with everything its page shows: two to five small queries."""
    canonical = normalize_reference(reference)
    if canonical is None:
        return None
    # The gate first, on its own: its joins plus the page's would make one
    # query whose planning alone cost more than running both.
    pk = Grievance.objects.visible_to(user).filter(reference=canonical).values_list("pk", flat=True).first()
    if pk is None:
        return None
    related = ("category__parent", "agency", "assignee", "region", "programme")
    grievance = Grievance.objects.select_related(*related).filter(pk=pk).first()
    if grievance is not None:
        _fetch_links(grievance)
    return grievance


# The links a case page shows that are often empty, fetched by the model
# they point at: one query for all the people, one for all the bodies, and
# none for a model no link points at. Joined into the case's own query
# instead, ten tables took 5 ms to plan and twice as long to compile.
_LINKS = {
    User: ("complainant", "lodged_by", "decided_by", "recorded_by"),
    Organization: ("referred_to", "lodged_by_organization"),
    Grievance: ("duplicate_of",),
}


def _fetch_links(grievance: Grievance) -> None:
    for model, names in _LINKS.items():
        ids = {getattr(grievance, f"{name}_id") for name in names} - {None}
        found = model._default_manager.in_bulk(ids) if ids else {}
        for name in names:
            related_id = getattr(grievance, f"{name}_id")
            Grievance._meta.get_field(name).set_cached_value(grievance, found.get(related_id))


def choice_labels(choices) -> dict[str, str]:
    """``{value: label}`` translated once per request.

    ``get_FOO_display()`` hashes every lazy label of the field's choices on
    each call, translating them all: with 23 kinds of event that was most of
    a long timeline's rendering time.
    """
    return {value: str(label) for value, label in choices}


def staff_timeline(grievance: Grievance) -> list[CaseEvent]:
    """The whole timeline, internal notes included, each event with its ``html``: two queries whatever its length."""
    events = list(grievance.events.select_related("actor").prefetch_related("attachments").order_by("created_at", "id"))
    label_events(events)
    for event, html in zip(events, staff_event_html(grievance, events), strict=True):
        event.html = html
    return events


def label_events(events: list[CaseEvent]) -> None:
    kinds, statuses = choice_labels(CaseEvent.Kind.choices), choice_labels(Status.choices)
    for event in events:
        event.kind_label = kinds.get(event.kind, event.kind)
        event.status_label = statuses.get(event.status_after, "")


STAFF_EVENT_TEMPLATE = "grievances/workspace/includes/event.html"
EVENT_HTML_SECONDS = 24 * 60 * 60


@once
def _event_template_version() -> str:
    """Changes when the fragment's template does (a deploy), so no entry outlives its markup."""
    source = get_template(STAFF_EVENT_TEMPLATE).template.source
    return hashlib.blake2b(source.encode(), digest_size=6).hexdigest()


def _event_html_key(event: CaseEvent, language: str) -> str:
    # The timeline is append-only, so an event's entry never changes, except
    # for the name of the person who wrote it; that name is part of the key.
    actor = event.actor.get_full_name() if event.actor_id else ""
    actor_digest = hashlib.blake2b(actor.encode(), digest_size=6).hexdigest()
    return f"event-html:{_event_template_version()}:{language}:{event.pk}:{actor_digest}"


def staff_event_html(grievance: Grievance, events: list[CaseEvent]) -> list[SafeString]:
    """Each event's staff timeline entry, rendered once and kept in the cache.

    The case page and its live updates both show entries from here, so they
    cannot differ. Rendering thirty entries was a third of a long case
    page's time; reading them back is one trip to the cache. With the cache
    down, entries are rendered as before.
    """
    language = translation.get_language() or "en"
    keys = [_event_html_key(event, language) for event in events]
    found = cache.get_many(keys) if keys else {}
    rendered, fresh = [], {}
    for event, key in zip(events, keys, strict=True):
        html = found.get(key)
        if html is None:
            html = fresh[key] = render_to_string(STAFF_EVENT_TEMPLATE, {"event": event, "grievance": grievance})
        rendered.append(mark_safe(html))  # noqa: S308 - our own template's output, escaped when rendered
    if fresh:
        cache.set_many(fresh, EVENT_HTML_SECONDS)
    return rendered


def referrals(grievance: Grievance) -> list[Referral]:
    return list(
        # The page shows the two agencies; who referred and who decided are in the timeline.
        grievance.referrals.select_related("from_agency", "to_agency").order_by("created_at", "id")
    )
