from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "grievances.privacy"
    label = "grievances_privacy"
    verbose_name = _("Grievances: personal data and retention")
    default_auto_field = "django.db.models.BigAutoField"
