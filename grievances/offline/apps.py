from django.apps import AppConfig


class OfflineConfig(AppConfig):
    """Field intake without a connection: reserved references, the offline page, and sync."""

    name = "grievances.offline"
    label = "grievances_offline"
    verbose_name = "Grievances: field visits without a connection"

    def ready(self) -> None:
        # Imported once the models are loaded, as Django asks of ready().
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import post_delete, post_save

        from grievances import pending
        from grievances.offline import services
        from portal.models import Membership

        pending.register(services.pending_reference)
        user_logged_out.connect(services.on_signed_out, dispatch_uid="grievances.offline.signed_out")
        # A role that ends takes the person's unused references with it, not only at the next sync.
        for signal in (post_save, post_delete):
            signal.connect(services.on_membership_changed, sender=Membership, dispatch_uid=f"offline-{signal}")
