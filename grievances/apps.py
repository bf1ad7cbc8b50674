from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrievancesConfig(AppConfig):
    name = "grievances"
    verbose_name = _("Grievances")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from grievances import sla
        from grievances.models import Holiday

        # A cache invalidation, not domain logic: the calendar each process keeps in memory.
        for signal in (post_save, post_delete):
            signal.connect(sla.holidays_changed, sender=Holiday, dispatch_uid=f"holidays-changed-{signal}")
