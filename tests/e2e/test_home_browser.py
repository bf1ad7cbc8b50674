import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_page_leads_to_sign_in_without_console_errors(live_server, page, home_page):
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == home_page.title
    page.get_by_role("link", name="Sign in").click()
    page.wait_for_url("**/accounts/login/")
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Sign In"
    assert page.get_by_label("Email").is_visible()
    # Keyboard users reach the skip link first, and it works.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.console_errors == []
