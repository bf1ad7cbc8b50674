from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from grievances import events, sections


class SmsConfig(AppConfig):
    """Grievances by text message: conversations, gateways' webhooks, notices and their delivery."""

    name = "grievances.sms"
    label = "grievances_sms"
    verbose_name = _("Grievances: text messages")

    def ready(self) -> None:
        # Imported once the models are loaded, as Django asks of ready().
        from grievances.sms.outbound import on_case_change
        from grievances.sms.staff import case_section

        events.subscribe(on_case_change)
        sections.register_staff_section(case_section)
