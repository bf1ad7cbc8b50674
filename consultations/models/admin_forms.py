"""The admin's edit forms for consultations and position statements.

Wagtail builds each page's edit form from its panels on top of these
classes and hands them the person editing (``for_user``). The choice lists
here are the server-side check as well: a crafted post naming an
organization or consultation outside the list fails validation like any
unknown choice, on saving a draft, on submitting and on publishing.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from portal.models import Membership, Organization
from portal.rules import organizations_with_role

# Who may run a consultation in an organization's name: its administrators, editors and approvers.
CONSULTATION_OWNER_ROLES = frozenset({Membership.Role.ADMIN, Membership.Role.EDITOR, Membership.Role.APPROVER})


def consultation_owners_for(user):
    """The organizations ``user`` may run a consultation for (every one for a superuser)."""
    if user is not None and user.is_active and user.is_superuser:
        return Organization.objects.all()
    return organizations_with_role(user, CONSULTATION_OWNER_ROLES)


class ConsultationAdminForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("owner_organization")
        if field is not None:
            field.queryset = consultation_owners_for(self.for_user)
            field.help_text = _("Only organizations you run consultations for are listed.")


class PositionStatementAdminForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("consultations")
        if field is not None:
            # The field's own model: this module is imported by the page models.
            model = field.queryset.model
            owners = consultation_owners_for(self.for_user)
            # Another organization's unpublished consultation is not public: not even its title.
            field.queryset = (
                model.objects.filter(live=True) | model.objects.filter(owner_organization__in=owners)
            ).order_by("title")
            field.help_text = _(
                "The published consultations this statement answers; it is then listed on each of them."
            )
