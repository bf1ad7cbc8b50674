"""On a 360 px phone nothing scrolls sideways; wide tables scroll inside a labelled, focusable region."""

import io
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from portal.demo import ACCOUNTS
from portal.models import User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RESULTS = "/en/consultations/maternity-cash-benefit-informal-workers/results/"
# Who opens what: None is nobody signed in.
PAGES = (
    (None, "/statistics/"),
    (None, RESULTS),
    ("ministry", RESULTS),
    ("supervisor", "/workspace/monitoring/agency/sso/"),
    ("officer", "/workspace/queue/sso/"),
)

# Each table's scroll wrapper: keyboard users reach it (tabindex), screen readers hear it as
# a named region. Returns what is missing, per wrapper.
WRAPPER_PROBLEMS = """() => [...document.querySelectorAll('.table-scroll')].map((wrapper, index) => {
  const problems = [];
  if (wrapper.getAttribute('tabindex') !== '0') problems.push('tabindex');
  if (wrapper.getAttribute('role') !== 'region') problems.push('role');
  const labelledby = (wrapper.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent.trim() || '').join(' ').trim();
  if (!(wrapper.getAttribute('aria-label') || '').trim() && !labelledby) problems.push('label');
  return problems.length ? `wrapper ${index}: ${problems.join(', ')}` : '';
}).filter(Boolean)"""


def _session_cookie(local_part: str, base_url: str) -> dict:
    email = next(account.email for account in ACCOUNTS if account.local_part == local_part)
    client = Client()
    client.force_login(User.objects.get(email__iexact=email))
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base_url,
    }


def test_nothing_scrolls_sideways_at_360_px_and_table_scrollers_are_labelled_regions(live_server, browser, home_page):
    call_command("seed_demo", "--quiet-accounts", stdout=io.StringIO())
    overflowing, unlabelled = {}, {}
    for persona, url in PAGES:
        context = browser.new_context(viewport={"width": 360, "height": 740})
        try:
            if persona:
                context.add_cookies([_session_cookie(persona, live_server.url)])
            page = context.new_page()
            response = page.goto(live_server.url + url)
            assert response.ok and page.url == live_server.url + url, f"{persona} {url} → {page.url}"
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 360:
                # Name the widest culprits, so a failure says what to fix.
                overflowing[f"{persona} {url}"] = (width, page.evaluate(WIDEST_ELEMENTS))
            if problems := page.evaluate(WRAPPER_PROBLEMS):
                unlabelled[f"{persona} {url}"] = problems
        finally:
            context.close()
    assert not overflowing, f"pages wider than 360 px: {overflowing}"
    assert not unlabelled, f"table scroll wrappers without tabindex, role or label: {unlabelled}"


WIDEST_ELEMENTS = """() => [...document.querySelectorAll('main *')]
  .filter((element) => element.getBoundingClientRect().right > 360.5)
  .filter((element) => ![...element.children].some((child) => child.getBoundingClientRect().right > 360.5))
  .slice(0, 5).map((element) => `${element.tagName.toLowerCase()}.${element.className} (${Math.round(element.getBoundingClientRect().right)} px)`)"""


def test_the_queue_filters_sit_in_a_compact_grid_on_a_desktop_without_javascript(live_server, browser, home_page):
    call_command("seed_demo", "--quiet-accounts", stdout=io.StringIO())
    context = browser.new_context(viewport={"width": 1280, "height": 800}, java_script_enabled=False)
    try:
        context.add_cookies([_session_cookie("officer", live_server.url)])
        page = context.new_page()
        page.goto(live_server.url + "/workspace/queue/sso/")
        form = page.get_by_role("form", name="Filter and search")
        assert form.evaluate("(form) => getComputedStyle(form).display") == "grid"
        # Ten fields and the buttons in rows of four or more, every label on one line.
        bottoms = form.evaluate(
            """(form) => [...form.children].filter((child) => child.offsetParent !== null)
                .map((child) => Math.round(child.getBoundingClientRect().bottom))"""
        )
        assert len(bottoms) == 11 and len(set(bottoms)) <= 3, bottoms
        label_lines = form.evaluate(
            """(form) => [...form.querySelectorAll('label')].map((label) =>
                Math.round(label.getBoundingClientRect().height / parseFloat(getComputedStyle(label).lineHeight)))"""
        )
        assert set(label_lines) == {1}, label_lines
        form.get_by_label("Category").select_option(index=1)
        form.get_by_role("button", name="Show").click()
        page.wait_for_url(re.compile(r"/workspace/queue/sso/\?.*category=\d+"))
    finally:
        context.close()


def test_the_staff_case_page_shows_the_timeline_beside_the_actions_and_stacks_them_at_360_px(
    live_server, browser, home_page
):
    from grievances.models import Grievance
    from grievances.workflow import OPEN_STATES

    call_command("seed_demo", "--quiet-accounts", stdout=io.StringIO())
    case = Grievance.objects.filter(agency__slug="sso", status__in=OPEN_STATES, category__sensitive=False).first()
    url = f"{live_server.url}/workspace/cases/{case.reference}/"
    for width, height in ((1280, 800), (360, 740)):
        context = browser.new_context(viewport={"width": width, "height": height}, java_script_enabled=False)
        try:
            context.add_cookies([_session_cookie("officer", live_server.url)])
            page = context.new_page()
            assert page.goto(url).ok
            summary = page.locator(".case-summary").bounding_box()
            timeline = page.locator("#timeline").bounding_box()
            actions = page.locator(".case-actions").bounding_box()
            assert page.locator(".case-actions form").count() >= 2  # the page offers this officer something to do
            if width == 1280:
                # Beside, not in between: the timeline follows the facts directly, left of the actions.
                assert actions["x"] >= timeline["x"] + timeline["width"], (timeline, actions)
                assert actions["y"] < summary["y"] + summary["height"], (summary, actions)
                assert timeline["y"] - (summary["y"] + summary["height"]) < 200, (summary, timeline)
            else:
                # Stacked in reading order: what happened first, then what to do; nothing sideways.
                assert actions["y"] > timeline["y"], (timeline, actions)
                assert page.evaluate("document.documentElement.scrollWidth") <= 360
        finally:
            context.close()


def test_no_open_case_page_of_the_demo_scrolls_sideways_at_360_px(live_server, browser, home_page):
    # Whatever a case holds (a table of similar cases, a long category, a referral), the page fits.
    from grievances.models import Grievance
    from grievances.workflow import OPEN_STATES

    call_command("seed_demo", "--quiet-accounts", stdout=io.StringIO())
    cases = Grievance.objects.filter(agency__slug="sso", status__in=OPEN_STATES, category__sensitive=False)[:12]
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    try:
        context.add_cookies([_session_cookie("officer", live_server.url)])
        page = context.new_page()
        wide = {}
        for case in cases:
            assert page.goto(f"{live_server.url}/workspace/cases/{case.reference}/").ok
            wide[case.reference] = page.evaluate("document.documentElement.scrollWidth")
        assert len(wide) == 12 and all(width <= 360 for width in wide.values()), wide
    finally:
        context.close()
