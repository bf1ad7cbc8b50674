"""Background work of the case core, as the task worker finds it.

The notices services send live in ``grievances.notifications`` (services
import them); what runs the services on a schedule lives here, so neither
imports the other in a circle.
"""

from __future__ import annotations

from django.tasks import task

from grievances.notifications import send_acknowledgement, send_escalation
from grievances.services.escalation import deadlines_sweep

__all__ = ["send_acknowledgement", "send_escalation", "sweep_deadlines"]


@task
def sweep_deadlines() -> dict:
    """Mark cases at risk and breached, and escalate them; safe to run as often as you like."""
    return deadlines_sweep()
