"""What the apps lend the portal, registered with Wagtail's hooks.

``portal`` imports no app. Each app registers what it adds in its own
``wagtail_hooks.py`` (the file Wagtail already loads from every installed
app), and the portal asks here:

- ``suara_my_page_section``: ``fn(request) -> (template name, context) | None``,
  a block of a signed-in person's ``/my/`` page;
- ``suara_my_data_section``: ``fn(user) -> DataSection | None``, what an app keeps
  about a signed-in person, for their export (``/my/data/``, JSON and PDF);
- ``suara_account_deleting``: ``fn(user) -> None``, called in the transaction that deletes a
  person's account, before the row goes: the app anonymises what the account owned;
- ``suara_retention_jobs``: ``fn(*, keep_days: dict, now, dry_run: bool) -> dict[str, int]``,
  run by the retention sweep with the admin's periods (``keep_days["consultation_responses"]``):
  the app anonymises or deletes its own expired records and says how many;
- ``suara_demo_seeder``: ``fn(*, organizations, users, stdout) -> int`` (rows
  created; must be idempotent), run by ``manage.py seed_demo`` after the
  people and organizations;
- ``suara_background_commands``: ``fn() -> list[list[str]]``, ``manage.py``
  argument lists that ``make run`` keeps running beside the web server;
- ``suara_websocket_urlpatterns``: ``fn() -> list`` of websocket routes,
  mounted by ``portal.asgi``;
- ``suara_similar_open_case``: ``fn(*, user, text, language) -> case | None``, one of
  ``user``'s own open cases that ``text`` (a grievance about to be lodged) seems to be
  about, asked before lodging so the person can add to it instead;
- ``suara_memberships_changed``: ``fn(*, organization) -> None``, called by
  ``portal.memberships`` inside the transaction that changed the
  organization's memberships, so that the app's Wagtail groups and page
  permissions follow at once (and roll back with the change);
- ``suara_text_themes``: ``fn(texts: list[str], *, language: str) -> list[dict]``, groups free
  texts into themes on the server (the insights wing lends its vectoriser and clustering, so
  consultations can group answers without importing grievances). Each theme is
  ``{"label": str, "members": [index into texts, most typical first]}``; texts in no theme
  are in no list. The first registered function is used.
- ``suara_case_page_notes`` / ``suara_consultation_page_notes``: ``fn(grievance)`` /
  ``fn(page) -> (template name, context) | None``, a note a wing adds to the complainant's case
  page or to a consultation's page (a systemic issue it is part of, or was raised from);
- ``suara_cases_anonymised``: ``fn(*, case_ids) -> None``, in the anonymising transaction: the
  app forgets what it keeps of these cases' people;
- ``suara_queue_tabs``: ``fn(request, agency) -> QueueTab | None``, a tab a wing adds to an
  agency's queue in the staff workspace for the people it decides (``None`` hides it); its
  ``content()`` is asked only when the tab is open.

Hooks run in the order of ``INSTALLED_APPS``, then of their ``order``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from wagtail import hooks

MY_PAGE_SECTION = "suara_my_page_section"
MY_DATA_SECTION = "suara_my_data_section"
ACCOUNT_DELETING = "suara_account_deleting"
RETENTION_JOBS = "suara_retention_jobs"
DEMO_SEEDER = "suara_demo_seeder"
BACKGROUND_COMMANDS = "suara_background_commands"
WEBSOCKET_URLPATTERNS = "suara_websocket_urlpatterns"
MEMBERSHIPS_CHANGED = "suara_memberships_changed"
CASE_PAGE_NOTES = "suara_case_page_notes"
CONSULTATION_PAGE_NOTES = "suara_consultation_page_notes"
CASES_ANONYMISED = "suara_cases_anonymised"
TEXT_THEMES = "suara_text_themes"
SIMILAR_OPEN_CASE = "suara_similar_open_case"
QUEUE_TABS = "suara_queue_tabs"


@dataclass(frozen=True)
class QueueTab:
    """A wing's tab in an agency's queue: its name in ``?tab=``, its label, its count, and what it shows."""

    name: str
    label: str
    count: int
    content: Callable[[], tuple[str, dict]]  # (template, context), asked only when the tab is open


def my_page_sections(request) -> list[tuple[str, dict]]:
    sections = (section(request) for section in hooks.get_hooks(MY_PAGE_SECTION))
    return [section for section in sections if section]


def my_data_sections(user) -> list:
    sections = (section(user) for section in hooks.get_hooks(MY_DATA_SECTION))
    return [section for section in sections if section]


def account_deleting(user) -> None:
    for forget in hooks.get_hooks(ACCOUNT_DELETING):
        forget(user)


def retention_jobs(*, keep_days: dict, now, dry_run: bool) -> dict[str, int]:
    counts: dict[str, int] = {}
    for job in hooks.get_hooks(RETENTION_JOBS):
        counts.update(job(keep_days=keep_days, now=now, dry_run=dry_run))
    return counts


def demo_seeders() -> list:
    return list(hooks.get_hooks(DEMO_SEEDER))


def background_commands() -> list[list[str]]:
    return [list(command) for commands in hooks.get_hooks(BACKGROUND_COMMANDS) for command in commands()]


def websocket_urlpatterns() -> list:
    return [route for routes in hooks.get_hooks(WEBSOCKET_URLPATTERNS) for route in routes()]


def memberships_changed(organization) -> None:
    for follow in hooks.get_hooks(MEMBERSHIPS_CHANGED):
        follow(organization=organization)


def case_page_notes(grievance) -> list[tuple[str, dict]]:
    """(template, context) pairs the wings add to the complainant's case page (e.g. "part of a recognised issue")."""
    notes = (note(grievance) for note in hooks.get_hooks(CASE_PAGE_NOTES))
    return [note for note in notes if note]


def consultation_page_notes(page) -> list[tuple[str, dict]]:
    """(template, context) pairs the wings add to a consultation's page (e.g. "raised from these grievances")."""
    notes = (note(page) for note in hooks.get_hooks(CONSULTATION_PAGE_NOTES))
    return [note for note in notes if note]


def cases_anonymised(case_ids: list[int]) -> None:
    """In the anonymising transaction: each app and wing forgets what it keeps of these cases' people."""
    for forget in hooks.get_hooks(CASES_ANONYMISED):
        forget(case_ids=case_ids)


def text_themes(texts: list[str], *, language: str) -> list[dict] | None:
    """Themes of ``texts`` from the first registered grouper; None when no app lends one."""
    groupers = hooks.get_hooks(TEXT_THEMES)
    return groupers[0](list(texts), language=language) if groupers else None


def similar_open_case(*, user, text: str, language: str):
    """The first registered finder's answer: one of ``user``'s own open cases close to ``text``, or None."""
    for find in hooks.get_hooks(SIMILAR_OPEN_CASE):
        found = find(user=user, text=text, language=language)
        if found is not None:
            return found
    return None


def queue_tabs(request, agency) -> list[QueueTab]:
    """The wings' tabs in ``agency``'s queue that ``request.user`` may open."""
    tabs = (tab(request, agency) for tab in hooks.get_hooks(QUEUE_TABS))
    return [tab for tab in tabs if tab]
