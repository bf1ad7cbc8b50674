"""Live updates in Chromium, two browser contexts, no reloads: a question, its answer, a new queue row.

Websockets need an ASGI server: the browser tests' ``live_server`` serves
``portal.asgi`` with uvicorn in a thread of the test process (it shares the
test database, as Django's live server does); events raised by the test's
own service calls reach it through ``portal.lib.realtime``'s server loop.
"""

import pytest
from playwright.sync_api import expect

from grievances import services
from grievances.models import Category, Grievance, SLAPolicy
from portal.models import Membership
from tests.factories import MembershipFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]

LIVE_WITHIN_MS = 2000


@pytest.fixture
def asgi_server(live_server, home_page):
    """The browser tests' live server speaks ASGI (tests/e2e/conftest.py): websockets work."""
    return live_server


@pytest.fixture
def setup(agency):
    policy = SLAPolicy.objects.create(name="E2E live")
    theme = Category.objects.create(name="Payments", agency=agency, sla_policy=policy)
    category = Category.objects.create(parent=theme, name="Payment not received")
    # A demo-domain address: development lets demo staff skip the second factor.
    officer = MembershipFactory(
        organization=agency, role=Membership.Role.CASE_OFFICER, user__email="officer-live@demo.suara.test"
    ).user
    return category, officer


def lodge(category, text="My payment of 600 baht did not arrive. ทดสอบ"):
    return services.grievance_lodge(
        category=category, description=text, contact_preference=Grievance.Contact.NONE, anonymous=True
    )


def sign_in(page, server, email):
    page.goto(server.url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()


def wait_until_live(page):
    # The state line is written when the socket opens.
    expect(page.locator("[data-live-state]")).not_to_be_empty(timeout=5000)
    page.evaluate("window.suaraNotReloaded = true")


def still_the_same_page(page) -> bool:
    return page.evaluate("window.suaraNotReloaded === true")


def test_a_question_reaches_the_open_complainant_page_and_the_answer_the_officers(asgi_server, browser, setup):
    category, officer = setup
    lodged = lodge(category)
    grievance = lodged.grievance
    services.grievance_assign(grievance=grievance, user=officer, assignee=officer, version=grievance.version)
    errors = []

    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    complainant = browser.new_context(viewport={"width": 360, "height": 740})
    officer_page, complainant_page = staff.new_page(), complainant.new_page()
    for page in (officer_page, complainant_page):
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        complainant_page.goto(asgi_server.url + "/grievances/track/")
        complainant_page.get_by_label("Reference").fill(grievance.reference)
        complainant_page.get_by_label("PIN").fill(lodged.pin)
        complainant_page.get_by_role("button", name="Show my grievance").click()
        complainant_page.wait_for_url(f"**/grievances/{grievance.reference}/")
        wait_until_live(complainant_page)

        sign_in(officer_page, asgi_server, officer.email)
        officer_page.goto(f"{asgi_server.url}/workspace/cases/{grievance.reference}/")
        wait_until_live(officer_page)

        # The officer asks; the complainant's open page shows it without a reload.
        officer_page.get_by_label("Question for the complainant").fill("Which e-wallet do you use?")
        officer_page.get_by_role("button", name="Send the question").click()
        expect(complainant_page.locator("#timeline")).to_contain_text(
            "Which e-wallet do you use?", timeout=LIVE_WITHIN_MS
        )
        assert still_the_same_page(complainant_page)
        # The status moved on: the page says so, in its live region too, and offers a reload for the form.
        expect(complainant_page.locator("[data-live-status]")).to_have_text("Waiting for your answer")
        expect(complainant_page.locator("[data-live-reload]")).to_be_visible()
        assert complainant_page.locator("[data-live-announce]").get_attribute("aria-live") == "polite"

        # The complainant answers; the officer's open page shows it without a reload.
        wait_until_live(officer_page)
        complainant_page.locator("[data-live-reload] a").click()
        complainant_page.wait_for_load_state()
        complainant_page.get_by_label("Your answer").fill("TrueMoney, number ending 1234.")
        complainant_page.get_by_role("button", name="Send my answer").click()
        expect(officer_page.locator("#timeline")).to_contain_text(
            "TrueMoney, number ending 1234.", timeout=LIVE_WITHIN_MS
        )
        assert still_the_same_page(officer_page)
    finally:
        staff.close()
        complainant.close()
    assert errors == []


def test_a_newly_lodged_case_appears_in_the_officers_open_queue(asgi_server, browser, setup, agency):
    category, officer = setup
    lodge(category, text="Already waiting")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        sign_in(page, asgi_server, officer.email)
        page.goto(f"{asgi_server.url}/workspace/queue/{agency.slug}/")
        wait_until_live(page)
        new = lodge(category, text="Lodged while the officer watches").grievance
        row = page.locator(f"#case-row-{new.pk}")
        expect(row).to_be_visible(timeout=LIVE_WITHIN_MS)
        expect(row).to_contain_text(new.reference)
        assert still_the_same_page(page)
    finally:
        context.close()
    assert errors == []


def test_a_stream_refused_at_connect_says_it_stopped_and_does_not_retry(asgi_server, browser, setup):
    from grievances.pins import hash_pin

    category, _officer = setup
    lodged = lodge(category)
    grievance = lodged.grievance
    context = browser.new_context()
    page = context.new_page()
    sockets = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    try:
        page.goto(asgi_server.url + "/grievances/track/")
        page.get_by_label("Reference").fill(grievance.reference)
        page.get_by_label("PIN").fill(lodged.pin)

        def revoke_then_serve(route):
            # The page is already shown; before its script opens the stream, a new PIN
            # ends the capability this browser earned, so the socket is refused at connect.
            Grievance.objects.filter(pk=grievance.pk).update(pin_hash=hash_pin("135790"))
            route.continue_()

        page.route("**/static/js/live.js*", revoke_then_serve)
        page.get_by_role("button", name="Show my grievance").click()
        page.wait_for_url(f"**/grievances/{grievance.reference}/")
        state = page.locator("[data-live-state]")
        expect(state).to_have_text("Live updates stopped. Reload the page to see new entries.", timeout=10000)
        page.wait_for_timeout(3000)  # a client that retried would have opened another socket by now
        assert len(sockets) == 1, sockets
        expect(state).to_have_text("Live updates stopped. Reload the page to see new entries.")
    finally:
        context.close()
