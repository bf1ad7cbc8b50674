"""The insights wing's registrations with the portal (``portal.registry``)."""

from wagtail import hooks

from grievances.insights import services
from grievances.insights.models import SystemicIssue
from grievances.insights.own_cases import closest_open_case
from portal import registry


@hooks.register(registry.BACKGROUND_COMMANDS)
def refresh_themes():
    # Themes are recomputed here, never per request; new cases are placed by the task worker meanwhile.
    return [["insights_refresh", "--every", "3600"]]


@hooks.register(registry.CASE_PAGE_NOTES)
def systemic_issue_note(grievance):
    # The complainant sees that their grievance counted: the issues it is part of, and what was done once published.
    linked = list(SystemicIssue.objects.filter(links__grievance=grievance).only("title", "outcome", "published_at"))
    return ("grievances/insights/case_note.html", {"issues": linked}) if linked else None


@hooks.register(registry.DEMO_SEEDER)
def seed_themes(**kwargs) -> int:
    # After the grievance seeder (apps seed in INSTALLED_APPS order): the demo's cases get their themes.
    services.insights_refresh()
    return 0


@hooks.register(registry.SIMILAR_OPEN_CASE)
def same_matter(*, user, text, language):
    # Asked by the lodging form for a signed-in person only, on their own open cases.
    return closest_open_case(user=user, text=text, language=language)
