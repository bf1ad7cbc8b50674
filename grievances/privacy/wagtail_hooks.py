"""What the privacy wing lends the portal: its sweep in the background loop, its policies in the admin, a queue tab."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from grievances.privacy.erasure import account_erase
from grievances.privacy.exports import cases_section
from grievances.privacy.models import RetentionPolicy
from grievances.privacy.workspace_views import queue_tab
from portal import registry


class RetentionPolicyViewSet(ModelViewSet):
    model = RetentionPolicy
    icon = "history"
    menu_label = _("Retention policies")
    add_to_admin_menu = True
    menu_order = 270
    list_display = ["kind", "category", "keep_days"]
    form_fields = ["kind", "category", "keep_days", "note"]


@hooks.register("register_admin_viewset")
def register_retention_policies():
    return RetentionPolicyViewSet("retention_policies")


@hooks.register(registry.BACKGROUND_COMMANDS)
def retention_sweep():
    # Hourly: a retention period is counted in days; an hour late is on time.
    return [["retention_sweep", "--every", "3600"]]


@hooks.register(registry.MY_DATA_SECTION)
def my_cases(user):
    return cases_section(user)


@hooks.register(registry.ACCOUNT_DELETING)
def forget_account(user):
    account_erase(user)


@hooks.register(registry.QUEUE_TABS)
def due_for_anonymisation_tab(request, agency):
    return queue_tab(request, agency)
