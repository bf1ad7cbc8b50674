"""The worker's side of the wing: a newly lodged case is vectorised and placed in a theme, never in the request."""

from __future__ import annotations

import logging

from django.tasks import task

from grievances.events import CaseChange
from grievances.insights import services
from grievances.models import Grievance

log = logging.getLogger(__name__)


@task
def place_case(case_id: int) -> None:
    """Vectorise one case and put it in its theme (it may have been withdrawn or erased since: then nothing)."""
    grievance = (
        Grievance.objects.filter(pk=case_id)
        .only("pk", "description", "language", "lodged_language", "agency_id")
        .first()
    )
    if grievance is not None:
        services.case_place(grievance=grievance)


def on_case_change(change: CaseChange) -> None:
    """Subscribed to the core's announcements: after a lodging commits, ask the worker to place the case."""
    if change.new_case:
        place_case.enqueue(change.case_id)
