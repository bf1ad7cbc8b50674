"""The language switch in a real browser: by keyboard, without JavaScript, on a 360 px phone."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _opens_by_keyboard_and_fits(page) -> None:
    page.locator(".language-switch summary").focus()
    page.keyboard.press("Enter")
    assert page.locator(".language-switch").evaluate("(details) => details.open")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_switch_works_by_keyboard_without_javascript_at_360_px(live_server, browser, home_page):
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")  # the poster address: on to the browser's language
        assert page.url == live_server.url + "/en/"
        _opens_by_keyboard_and_fits(page)
        page.get_by_role("button", name="ไทย").focus()
        page.keyboard.press("Enter")
        page.wait_for_url("**/th/")
        assert page.locator("html").get_attribute("lang") == "th"
        # The choice sticks: an unprefixed address now opens in Thai.
        page.goto(live_server.url + "/grievances/new/")
        assert page.locator("html").get_attribute("lang") == "th"
        # Right to left, the open switch still fits.
        page.goto(live_server.url + "/ur/")
        assert page.locator("html").get_attribute("dir") == "rtl"
        _opens_by_keyboard_and_fits(page)
    finally:
        context.close()
