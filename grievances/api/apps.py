from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from grievances import events


class ApiConfig(AppConfig):
    """The API wing. Its models keep the ``grievances`` app label (their migrations live there)."""

    name = "grievances.api"
    label = "grievances_api"
    verbose_name = _("Grievances: API and webhooks")

    def ready(self) -> None:
        # Imported once the models are loaded, as Django asks of ready().
        from grievances.api.webhooks import on_case_change

        events.subscribe(on_case_change)
