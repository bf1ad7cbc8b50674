from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from grievances import events


class LiveConfig(AppConfig):
    name = "grievances.live"
    label = "grievances_live"
    verbose_name = _("Grievances: live updates")

    def ready(self) -> None:
        # Imported once the models are loaded, as Django asks of ready().
        from grievances.live.payloads import on_case_change

        events.subscribe(on_case_change)
