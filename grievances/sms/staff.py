"""What staff see of the SMS channel on a case: each text, its delivery state and cost; never a number."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from grievances.models import Grievance
from grievances.sms.models import Message


def case_section(request, grievance: Grievance) -> tuple[str, dict] | None:
    """The "Text messages" block of the staff case page (the page's gate already let ``request`` in)."""
    texts = list(
        Message.objects.filter(grievance=grievance)
        .exclude(kind="reply")
        .only(
            "direction", "kind", "status", "segments", "created_at", "updated_at", "event_id", "attempts", "last_error"
        )
        .order_by("created_at", "id")
    )
    if not texts:
        return None
    return "grievances/sms/staff_section.html", {
        "texts": texts,
        "failed": sum(t.status == Message.Status.FAILED for t in texts),
    }


def segments_by_agency_month(*, since: date | None = None) -> list[dict]:
    """Segments sent and received per agency and month: what the channel costs whom."""
    rows = Message.objects.exclude(status=Message.Status.DROPPED)
    if since is not None:
        rows = rows.filter(created_at__date__gte=since)
    return list(
        rows.annotate(month=TruncMonth("created_at"))
        .values("agency_id", "month", "direction")
        .annotate(segments=Sum("segments"), messages=Count("id"))
        .order_by("month", "agency_id", "direction")
    )
