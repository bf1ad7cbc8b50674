"""An organization runs itself in the Wagtail admin: its administrators invite, give and remove roles, read the record.

Every change goes through ``portal.memberships``, which checks the actor's
right again and brings the Wagtail groups along at once.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from wagtail.admin.auth import permission_denied

from portal import memberships, rules
from portal.models import Membership, MembershipEvent, Organization

EVENTS_SHOWN = 50


def _role_choices():
    return [(value, label) for value, label in Membership.Role.choices if value in rules.GRANTABLE_ROLES]


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=_role_choices)


@never_cache
def organizations(request):
    """The organizations whose people the signed-in person manages; straight to it when there is one."""
    managed = list(rules.organizations_user_manages(request.user).order_by("name"))
    if not managed:
        return permission_denied(request)
    if len(managed) == 1:
        return redirect("suara_organization_people", slug=managed[0].slug)
    return TemplateResponse(request, "portal/admin/organizations.html", {"organizations": managed})


def _error_text(error: ValidationError) -> str:
    return " ".join(str(m) for m in (error.messages if hasattr(error, "messages") else [error]))


@never_cache
def organization_people(request, slug):
    """Who holds which role, the invitations not yet accepted, and who did what."""
    organization = get_object_or_404(Organization, slug=slug)
    if not rules.can_manage_people(request.user, organization):
        return permission_denied(request)
    form = InviteForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "invite":
                form = InviteForm(request.POST)
                if form.is_valid():
                    invitation = memberships.membership_invite(
                        actor=request.user,
                        organization=organization,
                        email=form.cleaned_data["email"],
                        role=form.cleaned_data["role"],
                        base_url=request.build_absolute_uri("/"),
                    )
                    messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
                    return redirect(request.path)
            elif action == "revoke":
                membership = get_object_or_404(Membership, pk=request.POST.get("membership"), organization=organization)
                memberships.membership_revoke(actor=request.user, membership=membership)
                messages.success(request, _("Role removed."))
                return redirect(request.path)
            elif action == "grant":
                member = get_object_or_404(
                    Membership.objects.active(), pk=request.POST.get("membership"), organization=organization
                )
                role = request.POST.get("role", "")
                memberships.membership_grant(actor=request.user, organization=organization, user=member.user, role=role)
                messages.success(request, _("Role given."))
                return redirect(request.path)
        except PermissionDenied:
            return permission_denied(request)
        except ValidationError as error:
            messages.error(request, _error_text(error))
    members = (
        Membership.objects.active()
        .filter(organization=organization)
        .select_related("user")
        .order_by("user__email", "role")
    )
    context = {
        "organization": organization,
        "members": members,
        "invitations": organization.invitations.filter(accepted_at__isnull=True).select_related("invited_by"),
        "events": MembershipEvent.objects.filter(organization=organization).select_related("actor")[:EVENTS_SHOWN],
        "form": form,
        "role_choices": _role_choices(),
    }
    return TemplateResponse(request, "portal/admin/organization_people.html", context)
