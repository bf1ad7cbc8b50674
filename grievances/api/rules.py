"""Who may manage an agency's API tokens and webhooks.

Supervisors and administrators of the agency. A token or webhook may reach
sensitive-category cases only when whoever creates it is a designated focal
point of that agency: nobody hands out more sight than they have. For the
same reason only focal points see a sensitive webhook's delivery log (case
references and activity) or switch it off, as only they open such cases.
"""

from __future__ import annotations

from grievances import rules as case_rules
from portal.models import Organization


def can_manage_integrations(user, organization: Organization) -> bool:
    return case_rules.is_supervisor_of(user, organization.pk)


def can_grant_sensitive(user, organization: Organization) -> bool:
    return can_manage_integrations(user, organization) and any(
        m.organization_id == organization.pk and m.focal_point for m in case_rules.case_memberships(user)
    )


def can_manage_webhook(user, webhook) -> bool:
    if webhook.sensitive:
        return can_grant_sensitive(user, webhook.organization)
    return can_manage_integrations(user, webhook.organization)
