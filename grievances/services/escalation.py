"""Deadlines escalated: at risk, breached, still breached; each level recorded and notified once."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grievances import sla
from grievances.models import CaseEvent, Grievance
from grievances.notifications import send_escalation
from grievances.services.base import record
from portal.models import Membership


def _escalation_recipients(grievance: Grievance, level: int) -> list[int]:
    sensitive = grievance.category.is_sensitive
    if level == sla.AT_RISK and grievance.assignee_id:
        return [grievance.assignee_id]
    roles = {
        sla.AT_RISK: [Membership.Role.SUPERVISOR],
        sla.BREACHED: [Membership.Role.SUPERVISOR],
        sla.HEAD: [Membership.Role.ADMIN],
    }[level]
    people = Membership.objects.active().filter(organization_id=grievance.agency_id, role__in=roles)
    if sensitive:
        # Nobody is told of a sensitive case they may not open.
        people = people.filter(focal_point=True)
    return sorted(set(people.values_list("user_id", flat=True)))


@transaction.atomic
def grievance_escalate(*, grievance: Grievance, level: int, today: date | None = None) -> CaseEvent | None:
    """Record that a case reached an escalation level, and notify that level once.

    Idempotent: the level is claimed with a conditional update, so running
    the sweep twice, or two sweeps at once, writes one event and sends one
    notice per level and deadline. Does not bump ``version``: nobody's form
    becomes stale because a deadline passed.
    """
    now = timezone.now()
    updates = {"escalation_level": level}
    if level >= sla.BREACHED:
        updates["breached_at"] = models.Case(
            models.When(breached_at__isnull=True, then=models.Value(now)), default=models.F("breached_at")
        )
    claimed = Grievance.objects.filter(
        pk=grievance.pk, escalation_level__lt=level, due_on=grievance.due_on, status=grievance.status
    ).update(**updates)
    if not claimed:
        return None
    grievance.escalation_level = level
    recipients = _escalation_recipients(grievance, level)
    text = {
        sla.AT_RISK: _("Deadline %(due)s is near: at risk."),
        sla.BREACHED: _("Deadline %(due)s missed: escalated to the supervisors."),
        sla.HEAD: _("Deadline %(due)s missed long ago: escalated to the head of the agency."),
    }[level] % {"due": grievance.due_on.isoformat()}
    event = record(
        grievance,
        CaseEvent.Kind.SLA if level == sla.AT_RISK else CaseEvent.Kind.ESCALATED,
        public=False,
        actor_label="Suara",
        body=text,
        payload={"level": level, "due_on": grievance.due_on.isoformat(), "notified": recipients},
    )
    if recipients:
        # Enqueued in this transaction (the task backend is the database): the
        # notice exists exactly when the escalation does.
        send_escalation.enqueue(grievance.pk, level, recipients)
    return event


def deadlines_sweep(*, today: date | None = None, batch: int = 500) -> dict:
    """Escalate every case whose deadline is near or past, one level at a time, once each.

    Reads only cases whose at-risk day has come and that are not yet fully
    escalated (an index on ``due_on`` keeps that small); each escalation is
    its own transaction, claimed with a conditional update, so the sweep can
    be stopped, re-run or run twice at once and changes nothing the second time.
    """
    today = today or timezone.localdate()
    holidays = sla.holidays_between(today - timedelta(days=400), today)
    candidates = (
        Grievance.objects.filter(status__in=sla.RUNNING, at_risk_on__lte=today, escalation_level__lt=sla.HEAD)
        .select_related("category__parent")
        .only("pk", "status", "due_on", "at_risk_on", "escalation_level", "agency_id", "assignee_id", "category")
        .order_by("due_on", "pk")
    )
    counts = {sla.AT_RISK: 0, sla.BREACHED: 0, sla.HEAD: 0}
    last_pk = 0
    while True:
        chunk = list(candidates.filter(pk__gt=last_pk).order_by("pk")[:batch])
        if not chunk:
            break
        last_pk = chunk[-1].pk
        for grievance in chunk:
            target = sla.escalation_due(grievance, today, holidays)
            for level in range(grievance.escalation_level + 1, target + 1):
                if grievance_escalate(grievance=grievance, level=level, today=today) is not None:
                    counts[level] += 1
    return {"at_risk": counts[sla.AT_RISK], "breached": counts[sla.BREACHED], "head": counts[sla.HEAD]}
