"""Who may read which monitoring figures.

- An agency's dashboard: its supervisors and its head (administrators).
  Case officers work cases, not the agency's performance figures; they and
  everyone outside the agency are refused.
- All agencies together: superusers, and supervisors or heads of the
  oversight bodies named in ``settings.SUARA_OVERSIGHT_ORGANIZATIONS`` (slugs,
  e.g. a ministry's inspectorate). Nobody else: one agency's figures are not
  another's business.
- Sensitive categories (the read gate's rule): in an agency's dashboard only
  the agency's designated focal points see them named and counted; other
  staff get figures without them. The all-agencies view counts them only at
  the top level, like the public page.
"""

from __future__ import annotations

from django.conf import settings

from grievances.monitoring.indicators import Sensitive
from grievances.rules import ROLE_ACTOR, case_memberships
from grievances.workflow import SUPERVISOR


def dashboard_agencies(user) -> list:
    """The agencies whose dashboards ``user`` may read, by name (no duplicates)."""
    seen, agencies = set(), []
    for membership in case_memberships(user):
        if ROLE_ACTOR[membership.role] == SUPERVISOR and membership.organization_id not in seen:
            seen.add(membership.organization_id)
            agencies.append(membership.organization)
    return agencies


def can_view_agency(user, agency_id: int) -> bool:
    return any(agency.pk == agency_id for agency in dashboard_agencies(user))


def can_view_all_agencies(user) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    oversight = set(getattr(settings, "SUARA_OVERSIGHT_ORGANIZATIONS", []) or [])
    return bool(oversight) and any(agency.slug in oversight for agency in dashboard_agencies(user))


def can_view_any(user) -> bool:
    return bool(dashboard_agencies(user)) or can_view_all_agencies(user)


def sensitive_rule(user, agency_id: int | None) -> Sensitive:
    """How sensitive categories enter the figures ``user`` reads for one agency (None: all agencies)."""
    if agency_id is None:
        return Sensitive.TOP_LEVEL
    focal = any(m.organization_id == agency_id and m.focal_point for m in case_memberships(user))
    return Sensitive.DETAIL if focal else Sensitive.HIDDEN
