from django.apps import AppConfig
from django.db.backends.signals import connection_created


class GrievancesConfig(AppConfig):
    name = "grievances"
    verbose_name = "Grievances"

    def ready(self) -> None:
        # Imported once the models are loaded, as Django asks of ready().
        from grievances.search import register_sqlite_fold

        # SQLite has no search fold of its own: each new connection gets the Python one.
        connection_created.connect(register_sqlite_fold, dispatch_uid="grievances.search.fold")
