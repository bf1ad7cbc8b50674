from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "grievances.monitoring"
    label = "grievances_monitoring"
    verbose_name = _("Grievances: monitoring and statistics")
