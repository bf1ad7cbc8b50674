"""Deadlines on the agency side: which date the clock runs to, and how late a case is.

Every case stores the deadline its clock runs towards now (``due_on``) and
the day it turns "at risk" (``at_risk_on``), so that the queue can sort and
filter on indexed columns and the sweep reads only the cases that matter.
Services call :func:`refresh_deadline` whenever a status or a due date
changes; :func:`state` and :func:`state_filter` read the result.

- lodged: the acknowledgement deadline;
- acknowledged … in progress, referred: the resolution deadline (referral
  does not stop the clock: the complainant is still waiting);
- awaiting the complainant: the resolution deadline, paused (the answer
  moves it later by the working days waited);
- appealed: the appeal decision deadline;
- resolved and closed: nothing is owed by the agency.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

from django.core.cache import cache
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from grievances.models import Grievance, Holiday, SLAPolicy
from grievances.workdays import add_working_days, is_working_day, working_days_between
from grievances.workflow import Status

# Statuses whose clock is running (not paused, not finished).
RUNNING = frozenset(
    {Status.LODGED, Status.ACKNOWLEDGED, Status.ASSIGNED, Status.IN_PROGRESS, Status.REFERRED, Status.APPEALED}
)
PAUSED = frozenset({Status.AWAITING_COMPLAINANT})

# Escalation levels, each notified once per deadline.
AT_RISK, BREACHED, HEAD = 1, 2, 3
# A breach still open after this many more working days goes to the agency head.
ESCALATE_TO_HEAD_AFTER_WORKING_DAYS = 5


class SLAState(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")
    PAUSED = "paused", _("Paused")
    NONE = "none", _("No deadline")


# Every process keeps the holiday calendar in memory (every lodging and every
# deadline change reads it) and reads the table again when the version in the
# shared cache changes: any save or delete of a holiday sets a new one.
CALENDAR_VERSION_KEY = "grievances:holidays:version"
_calendar: tuple[str, frozenset[date]] | None = None


def holiday_calendar() -> frozenset[date]:
    """Every public holiday, from this process's memory while the shared version is unchanged."""
    global _calendar
    version = cache.get(CALENDAR_VERSION_KEY)
    if version is None:
        cache.add(CALENDAR_VERSION_KEY, uuid4().hex, timeout=None)
        version = cache.get(CALENDAR_VERSION_KEY)
        if version is None:  # no shared cache to say when it changes: read the table
            return frozenset(Holiday.objects.values_list("date", flat=True))
    if _calendar is None or _calendar[0] != version:
        _calendar = (version, frozenset(Holiday.objects.values_list("date", flat=True)))
    return _calendar[1]


def holidays_changed(**_signal) -> None:
    """Connected to Holiday's save and delete: every process reads the calendar again.

    Once now (this transaction's own reads) and once after commit, so that a
    process that read the table between the two cannot keep the old calendar.
    """
    cache.set(CALENDAR_VERSION_KEY, uuid4().hex, timeout=None)
    transaction.on_commit(lambda: cache.set(CALENDAR_VERSION_KEY, uuid4().hex, timeout=None))


def holidays_between(start: date, end: date) -> set[date]:
    if end < start:
        start, end = end, start
    return {day for day in holiday_calendar() if start <= day <= end}


def subtract_working_days(end: date, days: int, holidays) -> date:
    """The date ``days`` working days before ``end`` (``end`` itself not counted)."""
    current, remaining = end, days
    while remaining > 0:
        current -= timedelta(days=1)
        if is_working_day(current, holidays):
            remaining -= 1
    return current


def deadline_for(grievance: Grievance) -> date | None:
    status = grievance.status
    if status == Status.LODGED:
        return grievance.acknowledge_due
    if status == Status.APPEALED:
        return grievance.appeal_decision_due
    if status in RUNNING or status in PAUSED:
        return grievance.resolve_due
    return None


def refresh_deadline(grievance: Grievance, *, at_risk_days: int | None = None) -> list[str]:
    """Set ``due_on``/``at_risk_on`` from the case's status; return the fields changed.

    A new or later deadline starts its escalations afresh: each deadline is
    escalated at most once per level.
    """
    due = deadline_for(grievance)
    if due is None:
        at_risk_on = None
    else:
        if at_risk_days is None:
            at_risk_days = grievance.category.effective_sla_policy().at_risk_days
        at_risk_on = subtract_working_days(due, at_risk_days, holidays_between(due - timedelta(days=60), due))
    changed = []
    if due != grievance.due_on:
        if due is not None and (grievance.due_on is None or due > grievance.due_on):
            grievance.escalation_level = 0
            grievance.breached_at = None
            changed += ["escalation_level", "breached_at"]
        grievance.due_on = due
        changed.append("due_on")
    if at_risk_on != grievance.at_risk_on:
        grievance.at_risk_on = at_risk_on
        changed.append("at_risk_on")
    return changed


def state(grievance: Grievance, today: date) -> SLAState:
    """The case's deadline state today, from its stored columns (no queries)."""
    if grievance.due_on is None:
        return SLAState.NONE
    if grievance.status in PAUSED:
        return SLAState.PAUSED
    if grievance.status not in RUNNING:
        return SLAState.NONE
    if grievance.due_on < today:
        return SLAState.BREACHED
    if grievance.at_risk_on is not None and grievance.at_risk_on <= today:
        return SLAState.AT_RISK
    return SLAState.ON_TRACK


def state_filter(value: str, today: date) -> models.Q:
    """The queryset condition for one :class:`SLAState`, the same rules as :func:`state`."""
    running = models.Q(status__in=RUNNING, due_on__isnull=False)
    match value:
        case SLAState.BREACHED:
            return running & models.Q(due_on__lt=today)
        case SLAState.AT_RISK:
            return running & models.Q(due_on__gte=today, at_risk_on__lte=today)
        case SLAState.ON_TRACK:
            return running & models.Q(due_on__gte=today) & (models.Q(at_risk_on__gt=today) | models.Q(at_risk_on=None))
        case SLAState.PAUSED:
            return models.Q(status__in=PAUSED, due_on__isnull=False)
        case SLAState.NONE:
            return ~models.Q(status__in=RUNNING | PAUSED) | models.Q(due_on__isnull=True)
    raise ValueError(value)


def at_risk_horizon(today: date) -> date:
    """No case can be at risk with a deadline later than this (for index range scans)."""
    longest = SLAPolicy.objects.aggregate(longest=models.Max("at_risk_days"))["longest"] or 0
    # Calendar days: every working day may be followed by a weekend and holidays.
    return today + timedelta(days=longest * 3 + 14)


def escalation_due(grievance: Grievance, today: date, holidays) -> int:
    """The escalation level the case should have reached today (0–3)."""
    if grievance.status not in RUNNING or grievance.due_on is None:
        return 0
    if grievance.due_on < today:
        late = working_days_between(grievance.due_on, today, holidays)
        return HEAD if late > ESCALATE_TO_HEAD_AFTER_WORKING_DAYS else BREACHED
    if grievance.at_risk_on is not None and grievance.at_risk_on <= today:
        return AT_RISK
    return 0


def working_days_left(due: date, today: date, holidays) -> int:
    return working_days_between(today, due, holidays)


__all__ = [
    "AT_RISK",
    "BREACHED",
    "HEAD",
    "SLAState",
    "add_working_days",
    "deadline_for",
    "escalation_due",
    "refresh_deadline",
    "state",
    "state_filter",
]
