"""Who may act for which organization.

Plain predicates over active memberships. Every view, form, service and API
endpoint that acts "on behalf of" an organization asks these, and the same
question is asked again when the action is submitted, not only when a form
is shown.
"""

from __future__ import annotations

from collections.abc import Iterable

from portal.models import Membership, Organization

# Who may speak for an organization in public (consultation responses,
# grievances on behalf of members): its verified representatives and admins.
SPEAK_FOR_ROLES = frozenset({Membership.Role.REPRESENTATIVE, Membership.Role.ADMIN})
# What an organization's administrators give and take away themselves; case
# roles of agencies stay with the portal's staff.
GRANTABLE_ROLES = frozenset(
    {Membership.Role.REPRESENTATIVE, Membership.Role.EDITOR, Membership.Role.APPROVER, Membership.Role.ADMIN}
)
# Who writes, approves or runs things in the Wagtail admin for an organization.
PUBLISHING_ROLES = frozenset({Membership.Role.EDITOR, Membership.Role.APPROVER, Membership.Role.ADMIN})
ADMIN_ACCESS_ROLES = PUBLISHING_ROLES
# Who uploads to and chooses from the organization's own images and documents.
FILE_ROLES = PUBLISHING_ROLES
# Who reads every agency's themes of grievances (counts, trends, scrubbed excerpts; never a case): a
# ministry's or oversight body's people, given the role by the portal's staff like the case roles.
OVERSIGHT_ROLES = frozenset({Membership.Role.OVERSIGHT})


def _authenticated(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def has_role(user, organization: Organization, roles: Iterable[str]) -> bool:
    """True when ``user`` holds one of ``roles`` in ``organization``, actively."""
    if not _authenticated(user) or organization is None:
        return False
    return Membership.objects.active().filter(user=user, organization=organization, role__in=list(roles)).exists()


def can_act_for(user, organization: Organization) -> bool:
    """May ``user`` speak for ``organization``? Only a verified body's representatives."""
    return bool(organization is not None and organization.verified) and has_role(user, organization, SPEAK_FOR_ROLES)


def organizations_user_can_act_for(user):
    """The verified organizations ``user`` may speak for (for choice fields)."""
    if not _authenticated(user):
        return Organization.objects.none()
    return Organization.objects.filter(
        verified=True,
        memberships__user=user,
        memberships__active=True,
        memberships__role__in=list(SPEAK_FOR_ROLES),
    ).distinct()


def organizations_with_role(user, roles: Iterable[str]):
    """The organizations in which ``user`` actively holds one of ``roles``."""
    if not _authenticated(user):
        return Organization.objects.none()
    return Organization.objects.filter(
        memberships__user=user, memberships__active=True, memberships__role__in=list(roles)
    ).distinct()


def can_manage_people(user, organization: Organization) -> bool:
    """Invite people, give and remove roles, read the record: the organization's administrators."""
    if not _authenticated(user) or organization is None:
        return False
    return user.is_superuser or has_role(user, organization, {Membership.Role.ADMIN})


def organizations_user_manages(user):
    """The organizations whose people ``user`` manages (every one for a superuser)."""
    if _authenticated(user) and user.is_superuser:
        return Organization.objects.all()
    return organizations_with_role(user, {Membership.Role.ADMIN})


def has_staff_role(user) -> bool:
    """Handles other people's data or publishes for a body: needs a second factor."""
    if not _authenticated(user):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return Membership.objects.active().staff_roles().filter(user=user).exists()


def can_oversee(user) -> bool:
    """Reads all agencies' non-sensitive themes: an active oversight role in a government body."""
    if not _authenticated(user):
        return False
    return (
        Membership.objects.active()
        .filter(user=user, role__in=list(OVERSIGHT_ROLES), organization__kind=Organization.Kind.GOVERNMENT)
        .exists()
    )
