"""Grievance reference data in the Wagtail admin: categories, SLA policies, holidays, regions, programmes."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from grievances import demo
from grievances.reference import Category, Holiday, Programme, Region, SLAPolicy
from grievances.views import my_section
from portal import registry


class CategoryViewSet(ModelViewSet):
    model = Category
    icon = "list-ul"
    list_display = ["__str__", "agency", "sensitive", "active"]
    list_filter = ["sensitive", "active", "agency"]
    search_fields = ["name"]
    form_fields = [
        "parent",
        "name",
        "names",
        "description",
        "descriptions",
        "sensitive",
        "agency",
        "sla_policy",
        "active",
        "position",
    ]


class SLAPolicyViewSet(ModelViewSet):
    model = SLAPolicy
    icon = "time"
    list_display = ["name", "acknowledge_days", "resolve_days", "appeal_window_days", "appeal_decision_days"]
    form_fields = [
        "name",
        "names",
        "acknowledge_days",
        "resolve_days",
        "appeal_window_days",
        "appeal_decision_days",
        "at_risk_days",
    ]


class HolidayViewSet(ModelViewSet):
    model = Holiday
    icon = "date"
    list_display = ["date", "name"]
    form_fields = ["date", "name"]


class RegionViewSet(ModelViewSet):
    model = Region
    icon = "site"
    form_fields = ["name", "names", "code"]


class ProgrammeViewSet(ModelViewSet):
    model = Programme
    icon = "pick"
    list_display = ["name", "agency"]
    form_fields = ["name", "names", "agency"]


class GrievanceSetup(ViewSetGroup):
    menu_label = _("Grievance setup")
    menu_icon = "cogs"
    menu_order = 260
    items = (CategoryViewSet, SLAPolicyViewSet, HolidayViewSet, RegionViewSet, ProgrammeViewSet)


@hooks.register("register_admin_viewset")
def register_grievance_setup():
    return GrievanceSetup()


# --- what the case core lends the portal (portal.registry) ---------------------------


@hooks.register(registry.MY_PAGE_SECTION)
def my_grievances(request):
    return my_section(request)


@hooks.register(registry.DEMO_SEEDER)
def seed_grievances(**kwargs) -> int:
    return demo.seed(**kwargs)


@hooks.register(registry.BACKGROUND_COMMANDS)
def deadline_sweep():
    # Deadlines are escalated within a minute of turning due (docs/workspace.md).
    return [["sla_sweep", "--every", "60"]]
