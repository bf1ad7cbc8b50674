"""The public pages in Thai, Khmer and Urdu on a 360 px phone: the right language and direction,
nothing scrolling sideways, and nothing serious for axe-core (WCAG 2.2 A and AA)."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.e2e.axe import axe_findings

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Addresses of the page tree carry the language; the others follow the reader's cookie.
PAGES = ("/{lang}/", "/{lang}/consultations/", "/grievances/new/", "/grievances/track/", "/statistics/")


@pytest.mark.parametrize(("language", "direction"), [("th", "ltr"), ("km", "ltr"), ("ur", "rtl")])
def test_public_pages_read_well_in_the_language_at_360_px(live_server, browser, home_page, language, direction):
    call_command("seed_demo", "--quiet-accounts", stdout=io.StringIO())
    # bypass_csp: the public policy allows no inline script, and axe-core is injected as one.
    context = browser.new_context(viewport={"width": 360, "height": 740}, bypass_csp=True)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    problems = {}
    try:
        page = context.new_page()
        for address in PAGES:
            url = address.format(lang=language)
            response = page.goto(live_server.url + url)
            assert response.ok, f"{url}: HTTP {response.status}"
            html = page.locator("html")
            assert (html.get_attribute("lang"), html.get_attribute("dir")) == (language, direction), url
            width = page.evaluate("document.documentElement.scrollWidth")
            found = axe_findings(page)
            if width > 360 or found:
                problems[url] = {"scroll_width": width, "axe": found}
    finally:
        context.close()
    assert not problems, problems
