from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class GrievancesConfig(AppConfig):
    name = "grievances"
    verbose_name = _("Grievances")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from grievances import sla
        from grievances.models import Holiday
        from grievances.search import register_sqlite_fold

        # A cache invalidation, not domain logic: the calendar each process keeps in memory.
        for signal in (post_save, post_delete):
            signal.connect(sla.holidays_changed, sender=Holiday, dispatch_uid=f"holidays-changed-{signal}")
        # SQLite has no search fold of its own: each new connection gets the Python one.
        connection_created.connect(register_sqlite_fold, dispatch_uid="grievances.search.fold")
