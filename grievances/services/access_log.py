"""Who opened which case when: the staff access log that supervisors read."""

from __future__ import annotations

from grievances.models import CaseAccess, Grievance


def grievance_record_access(*, grievance: Grievance, user, what: str = "case") -> CaseAccess:
    """Write who opened which case when; called by every staff page that shows a case."""
    return CaseAccess.objects.create(grievance=grievance, user=user, what=what)
