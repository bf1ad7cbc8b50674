from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from grievances import events


class WorkspaceConfig(AppConfig):
    name = "grievances.workspace"
    label = "grievances_workspace"
    verbose_name = _("Grievances: agency workspace")

    def ready(self) -> None:
        # Imported once the models are loaded, as Django asks of ready().
        from grievances.workspace.selectors import on_case_change

        events.subscribe(on_case_change)
