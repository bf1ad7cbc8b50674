"""People and organizations, editable in the Wagtail admin."""

from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from portal import admin_people, files, memberships, registry, rules
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


class _FollowMemberships:
    # The portal's staff may still edit memberships in these plain forms; the
    # groups follow and the organization's record shows it, as for any change.
    def save_instance(self):
        instance = super().save_instance()
        memberships.membership_saved_by_staff(actor=self.request.user, membership=instance)
        return instance


class MembershipCreateView(_FollowMemberships, generic.CreateView):
    pass


class MembershipEditView(_FollowMemberships, generic.EditView):
    pass


class MembershipViewSet(ModelViewSet):
    model = Membership
    add_view_class = MembershipCreateView
    edit_view_class = MembershipEditView
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


class OrganizationPeopleMenuItem(MenuItem):
    def is_shown(self, request):
        return rules.organizations_user_manages(request.user).exists()


@hooks.register("register_admin_menu_item")
def organization_people_menu_item():
    return OrganizationPeopleMenuItem(
        _("Your organization"), reverse("suara_organizations"), icon_name="group", order=240
    )


@hooks.register("register_admin_urls")
def organization_people_urls():
    return [
        path("people/", admin_people.organizations, name="suara_organizations"),
        path("people/<str:slug>/", admin_people.organization_people, name="suara_organization_people"),
    ]


@hooks.register("before_serve_document")
def keep_unpublished_organization_documents_private(document, request):
    if not files.document_may_be_served(document, request.user):
        # As if it did not exist: a title in a file name can say too much.
        raise Http404
    return None


@hooks.register(registry.BACKGROUND_COMMANDS)
def task_reaper():
    # Tasks left "running" by a worker that died go back to the queue: a look
    # every few seconds (two small queries) keeps a dead worker's task waiting
    # little longer than the heartbeat's allowed silence.
    return [["tasks_reap", "--every", "5"]]
