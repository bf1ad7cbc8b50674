"""What the workspace reads: a queue page and its tab counts.

Everything starts from ``Grievance.objects.visible_to(user)``. The queue
issues a fixed number of queries whatever the page size: one for all the tab
counts, one capped count of the filtered rows, one for the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.cache import cache
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import pgettext_lazy

from grievances import search, sla
from grievances.events import CaseChange
from grievances.models import Grievance
from grievances.references import normalize_reference
from grievances.timeline import choice_labels
from grievances.workflow import CLOSED_STATES, OPEN_STATES, Status

# Counting every match of a common word is what makes search slow; past
# this, the page says "1,000+".
COUNT_CAP = 1000
# A page number past this (a million rows at the largest page size) is read as this one:
# a crafted number must not reach the database as an offset it cannot hold.
MAX_PAGE = 10_000
COUNTS_CACHE_SECONDS = 60


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


# Marked here, where makemessages finds them; a tab is a short noun phrase
# ("New", "Mine"), hence the context for translators.
TAB_LABELS = {
    "open": pgettext_lazy("queue tab", "All open"),
    "new": pgettext_lazy("queue tab", "New"),
    "mine": pgettext_lazy("queue tab", "Mine"),
    "unassigned": pgettext_lazy("queue tab", "Unassigned"),
    "awaiting": pgettext_lazy("queue tab", "Awaiting complainant"),
    "at_risk": pgettext_lazy("queue tab", "At risk"),
    "breached": pgettext_lazy("queue tab", "Breached"),
    "appeals": pgettext_lazy("queue tab", "Appeals"),
    "referred_in": pgettext_lazy("queue tab", "Referred to us"),
    "closed": pgettext_lazy("queue tab", "Closed"),
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
    """Moves on with every committed change to the agency's cases (:func:`on_case_change`)."""
    return cache.get(f"queue-version:{agency_id}", 0)


def on_case_change(change: CaseChange) -> None:
    """Subscribed to the core's announcements: every queue the case is in, or just left, recounts its tabs."""
    for agency_id in change.queues:
        key = f"queue-version:{agency_id}"
        try:
            cache.incr(key)
        except ValueError:  # not there yet (or evicted)
            cache.set(key, 1, None)


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
    # Grouped the reader's way (1,000 / 1.000 / 1 000).
    shown = formats.number_format(min(count, COUNT_CAP), force_grouping=True)
    return f"{shown}+" if count > COUNT_CAP else shown


def text_search(queryset: QuerySet[Grievance], words: str) -> QuerySet[Grievance]:
    """Cases whose description holds every word, in any script (``grievances.search``)."""
    return search.text_search(queryset, words)


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
        return count_label(self.total)

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


def tabs_of(grievance: Grievance, agency_id: int, today) -> list[str]:
    """The queue tabs of ``agency_id`` the case belongs to now.

    The same rules as the queue's SQL (:func:`tab_conditions`, whose
    deadline states are ``sla.state`` in SQL), read from the row in hand: a
    query here would be paid on every change. A test holds the two together.
    "mine" depends on who looks; clients derive it from "open" and the assignee.
    """
    status, own = grievance.status, grievance.agency_id == agency_id
    state = sla.state(grievance, today)
    is_open = status in OPEN_STATES
    tabs = {
        "open": own and is_open,
        "new": own and status in (Status.LODGED, Status.ACKNOWLEDGED) and grievance.assignee_id is None,
        "unassigned": own and is_open and grievance.assignee_id is None and status != Status.REFERRED,
        "awaiting": own and status == Status.AWAITING_COMPLAINANT,
        "at_risk": own and state == sla.SLAState.AT_RISK,
        "breached": own and state == sla.SLAState.BREACHED,
        "appeals": own and status == Status.APPEALED,
        "referred_in": status == Status.REFERRED and grievance.referred_to_id == agency_id,
        "closed": own and status in CLOSED_STATES,
    }
    return [name for name, member in tabs.items() if member]
