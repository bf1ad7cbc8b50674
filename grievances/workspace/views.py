"""The agency workspace. Case queues arrive with the agency-side issue."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from portal.models import Membership, Organization
from portal.rules import has_staff_role

CASE_ROLES = [Membership.Role.CASE_OFFICER, Membership.Role.SUPERVISOR, Membership.Role.ADMIN]


@never_cache
@login_required
def index(request):
    """The agencies whose queues this person works, with their role in each."""
    if not has_staff_role(request.user):
        raise PermissionDenied
    memberships = (
        request.user.memberships.active()
        .filter(role__in=CASE_ROLES, organization__kind=Organization.Kind.GOVERNMENT)
        .select_related("organization")
        .order_by("organization__name")
    )
    return render(request, "grievances/workspace/index.html", {"memberships": memberships})
