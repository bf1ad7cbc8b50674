"""People and organizations, editable in the Wagtail admin."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from portal import registry
from portal.models import Membership, Organization


class OrganizationViewSet(ModelViewSet):
    model = Organization
    icon = "group"
    menu_label = _("Organizations")
    list_display = ["name", "kind", "verified", "country", "region"]
    list_filter = ["kind", "verified", "country"]
    search_fields = ["name", "short_name", "slug"]
    panels = [
        FieldPanel("name"),
        FieldPanel("names"),
        FieldRowPanel([FieldPanel("short_name"), FieldPanel("slug")]),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("verified")]),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("country"), FieldPanel("region")]), FieldPanel("website")], _("Where")
        ),
    ]


class MembershipViewSet(ModelViewSet):
    model = Membership
    icon = "user"
    menu_label = _("Memberships")
    list_display = ["user", "organization", "role", "active"]
    list_filter = ["role", "active", "organization"]
    search_fields = ["user__email", "user__display_name", "organization__name"]
    panels = [
        FieldPanel("user"),
        FieldPanel("organization"),
        FieldRowPanel([FieldPanel("role"), FieldPanel("active"), FieldPanel("focal_point")]),
    ]


class PeopleGroup(ViewSetGroup):
    menu_label = _("People & bodies")
    menu_icon = "group"
    menu_order = 250
    items = (OrganizationViewSet, MembershipViewSet)


@hooks.register("register_admin_viewset")
def register_people_viewsets():
    return PeopleGroup()


@hooks.register(registry.BACKGROUND_COMMANDS)
def task_reaper():
    # Tasks left "running" by a worker that died go back to the queue.
    return [["tasks_reap", "--every", "60"]]
