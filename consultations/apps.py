from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "consultations"
    verbose_name = _("Consultations")

    def ready(self) -> None:
        # The page models hand their requests to handlers the views module
        # registers (consultations.handlers); importing it here registers them
        # in every process, whether or not Wagtail's hooks were loaded yet.
        from consultations import analysis_views, views  # noqa: F401
