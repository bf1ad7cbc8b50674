"""The complainant's whole journey in a real browser: lodge anonymously, track with the PIN, reply."""

import pytest

from grievances.models import CaseEvent, Category, Grievance, SLAPolicy

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def payment_category(agency):
    policy = SLAPolicy.objects.create(name="E2E")
    theme = Category.objects.create(name="Payments", agency=agency, sla_policy=policy)
    return Category.objects.create(parent=theme, name="Payment not received")


@pytest.mark.parametrize("javascript", [False, True], ids=["without-js", "with-js"])
def test_lodge_anonymously_track_with_the_pin_and_reply(live_server, browser, home_page, payment_category, javascript):
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 360, "height": 740})
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    try:
        page.goto(live_server.url + "/")
        page.get_by_role("link", name="Raise a grievance").first.click()
        page.get_by_label("What is it about?").select_option(label="Payment not received")
        page.get_by_label("What happened?").fill("My payment of 600 baht did not arrive. ทดสอบ")
        page.get_by_label("Stay anonymous").check()
        page.get_by_role("button", name="Send my grievance").click()

        page.wait_for_url("**/acknowledgement/")
        reference = page.locator(".reference").first.inner_text().strip()
        pin = page.get_by_test_id("pin").inner_text().strip()
        assert reference.startswith("SU-") and len(pin) == 6

        # Later, on another browser (a fresh context has no session).
        context.close()
        context = browser.new_context(java_script_enabled=javascript)
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.goto(live_server.url + "/grievances/track/")
        page.get_by_label("Reference").fill(reference.lower())
        page.get_by_label("PIN").fill(pin)
        page.get_by_role("button", name="Show my grievance").click()
        page.wait_for_url(f"**/grievances/{reference}/")
        assert "We have received your grievance" in page.locator("h1").inner_text()

        page.get_by_label("Your message").fill("I can bring my bank book to the office.")
        page.get_by_role("button", name="Send", exact=True).click()
        page.wait_for_url(f"**/grievances/{reference}/")
        assert "Your message has been added." in page.locator(".messages").inner_text()
        assert "I can bring my bank book to the office." in page.locator("#timeline").inner_text()
    finally:
        context.close()

    grievance = Grievance.objects.get(reference=reference)
    assert grievance.anonymous and grievance.complainant is None
    assert grievance.events.filter(kind=CaseEvent.Kind.MESSAGE_FROM_COMPLAINANT).count() == 1
    assert errors == []
