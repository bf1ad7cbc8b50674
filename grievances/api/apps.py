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
        from django.db.models.signals import post_delete, post_save

        from grievances.api.models import Webhook
        from grievances.api.webhooks import on_case_change, webhooks_changed

        events.subscribe(on_case_change)
        for signal in (post_save, post_delete):
            signal.connect(webhooks_changed, sender=Webhook, dispatch_uid=f"webhooks-changed-{signal}")
