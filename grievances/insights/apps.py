from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from grievances import events, sections


class InsightsConfig(AppConfig):
    """Themes, similar cases and emerging problems, computed on the server from the cases' own text."""

    name = "grievances.insights"
    label = "grievances_insights"
    verbose_name = _("Grievances: themes and similar cases")

    def ready(self) -> None:
        # Imported once the models are loaded, as Django asks of ready().
        from grievances.insights.selectors import similar_section
        from grievances.insights.tasks import on_case_change

        events.subscribe(on_case_change)
        sections.register_staff_section(similar_section, place="case")
