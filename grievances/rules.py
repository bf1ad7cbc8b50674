"""Who on the agency side may take which action on a case, now.

The workflow table (``grievances.workflow``) says which actions exist in
which state and for which kind of actor; these predicates say which kind of
actor a person is *for this case*: an officer or a supervisor of the agency
that may act on it. Services ask again when an action is submitted.

- The owning agency acts on its cases. While a referral is pending, only the
  receiving agency acts, and only to accept, return or note it.
- A referring agency keeps read-only sight (``visible_to``), never actions.
- Sensitive-category cases: only the agency's designated focal points.
- An appeal is decided by a supervisor, or by the officer a supervisor
  assigned it to; never by whoever made the first decision.
"""

from __future__ import annotations

from grievances.models import Grievance, case_memberships
from grievances.workflow import OFFICER, SUPERVISOR, Status, allowed
from portal.models import Membership

ROLE_ACTOR = {
    Membership.Role.CASE_OFFICER: OFFICER,
    Membership.Role.SUPERVISOR: SUPERVISOR,
    Membership.Role.ADMIN: SUPERVISOR,
}
REFERRAL_PENDING_ACTIONS = frozenset({"accept_referral", "return_referral", "note"})
# Officers take unassigned cases for themselves; handing a case to someone
# else, or taking it from someone, is a supervisor's call.
SUPERVISOR_ONLY_ASSIGN = True


def acting_agency_id(grievance: Grievance) -> int | None:
    """The agency whose staff may act on the case now (while referred: the receiving one only)."""
    if grievance.status == Status.REFERRED:
        return grievance.referred_to_id
    return grievance.agency_id


def actor_in(user, agency_id: int | None, *, sensitive: bool = False) -> str | None:
    """OFFICER or SUPERVISOR for ``agency_id`` (the higher role wins), or None."""
    best = None
    if agency_id is None:
        return None
    for membership in case_memberships(user):
        if membership.organization_id != agency_id or (sensitive and not membership.focal_point):
            continue
        actor = ROLE_ACTOR[membership.role]
        if best is None or actor == SUPERVISOR:
            best = actor
    return best


def actor_for(user, grievance: Grievance) -> str | None:
    """The kind of actor ``user`` is for this case now, or None when they may not act."""
    return actor_in(user, acting_agency_id(grievance), sensitive=grievance.category.is_sensitive)


def is_focal_point(user, grievance: Grievance) -> bool:
    """A designated focal point of the agency acting on the case (sees withheld identities)."""
    return any(
        m.focal_point and m.organization_id in (grievance.agency_id, grievance.referred_to_id)
        for m in case_memberships(user)
    )


def is_supervisor_of(user, agency_id: int) -> bool:
    return any(m.organization_id == agency_id and ROLE_ACTOR[m.role] == SUPERVISOR for m in case_memberships(user))


def can(user, action: str, grievance: Grievance) -> bool:
    """May ``user`` take ``action`` on ``grievance`` in its current state?"""
    actor = actor_for(user, grievance)
    if actor is None:
        return False
    if grievance.status == Status.REFERRED and action not in REFERRAL_PENDING_ACTIONS:
        return False
    if action == "decide_appeal":
        if grievance.decided_by_id == user.pk:
            return False
        if actor == OFFICER and grievance.assignee_id == user.pk:
            actor = SUPERVISOR  # the appeal officer a supervisor chose
    return allowed(action, grievance.status, actor)


def can_assign_to(user, grievance: Grievance, assignee) -> bool:
    """Supervisors assign to anyone in the agency; officers take unassigned cases for themselves."""
    if not can(user, "assign", grievance):
        return False
    if actor_for(user, grievance) == SUPERVISOR:
        return True
    return assignee is not None and assignee.pk == user.pk and grievance.assignee_id in (None, user.pk)


def identity_for(user, grievance: Grievance) -> dict:
    """What staff (and an API token, acting as staff) may know about who complained.

    Anonymous: nothing exists to show. Kept confidential by the complainant,
    or a member's identity withheld by their organization: only the
    agency's designated focal points see it. Everyone else sees that it is
    withheld, and by whom it was lodged (an organization is not a person).
    """
    withheld = grievance.confidentiality == Grievance.Confidentiality.CONFIDENTIAL or grievance.member_identity_withheld
    if grievance.anonymous:
        return {"anonymous": True}
    if withheld and not is_focal_point(user, grievance):
        return {"withheld": True}
    return {
        "name": grievance.display_identity(),
        "phone": grievance.contact_phone,
        "email": grievance.contact_email or (grievance.complainant.email if grievance.complainant_id else ""),
        "member_name": grievance.member_name,
        "withheld_but_shown": withheld,
    }
