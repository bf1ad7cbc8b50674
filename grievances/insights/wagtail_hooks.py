"""The insights wing's registrations with the portal (``portal.registry``)."""

from wagtail import hooks

from grievances.insights import consultation_links, demo, services, text_themes
from grievances.insights.models import SystemicIssue
from grievances.insights.own_cases import closest_open_case
from portal import registry
from portal.rules import can_oversee


@hooks.register(registry.BACKGROUND_COMMANDS)
def refresh_themes():
    # Themes are recomputed here, never per request; new cases are placed by the task worker meanwhile.
    return [["insights_refresh", "--every", "3600"]]


@hooks.register(registry.CASE_PAGE_NOTES)
def systemic_issue_note(grievance):
    # The complainant sees that their grievance counted: the issues it is part of, and what was done once published.
    linked = list(SystemicIssue.objects.filter(links__grievance=grievance).only("title", "outcome", "published_at"))
    return ("grievances/insights/case_note.html", {"issues": linked}) if linked else None


@hooks.register(registry.CONSULTATION_PAGE_NOTES)
def raised_from_grievances_note(page):
    # The link's other end: readers of a consultation see which recognised problems brought it about.
    issues = consultation_links.published_issues_raised_in(page)
    return ("grievances/insights/consultation_note.html", {"issues": issues}) if issues else None


@hooks.register(registry.DEMO_SEEDER)
def seed_themes(**kwargs) -> int:
    # After the grievance seeder (apps seed in INSTALLED_APPS order): a recurring problem for the themes
    # pages, then every demo case gets its theme.
    created = demo.seed()
    services.insights_refresh()
    return created


@hooks.register(registry.TEXT_THEMES)
def group_texts(texts, *, language):
    # Lent to consultations (which may not import grievances) to group free-text answers by theme.
    return text_themes.group_texts(texts, language=language)


@hooks.register(registry.MY_PAGE_SECTION)
def oversight_themes(request):
    # The oversight role has no workspace: /my/ is where they find all agencies' themes.
    return ("grievances/insights/my_section.html", {}) if can_oversee(request.user) else None


@hooks.register(registry.SIMILAR_OPEN_CASE)
def same_matter(*, user, text, language):
    # Asked by the lodging form for a signed-in person only, on their own open cases.
    return closest_open_case(user=user, text=text, language=language)
