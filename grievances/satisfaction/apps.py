from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from grievances import events


class SatisfactionConfig(AppConfig):
    """Whether the complainant's problem was resolved and they were treated fairly, asked once a decision is made."""

    name = "grievances.satisfaction"
    label = "grievances_satisfaction"
    verbose_name = _("Grievances: satisfaction at closure")

    def ready(self) -> None:
        # Imported once the models are loaded, as Django asks of ready().
        from grievances.satisfaction.tasks import on_case_change

        events.subscribe(on_case_change)
