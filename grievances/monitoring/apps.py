from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "grievances.monitoring"
    label = "grievances_monitoring"
    verbose_name = "Grievances: monitoring and statistics"
