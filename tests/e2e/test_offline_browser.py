"""A field visit in Chromium: get references, go offline, record, close and reopen, come back, sync."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from grievances.models import Category, Grievance, SLAPolicy
from grievances.offline.models import Reservation
from portal.models import Membership
from tests.factories import MembershipFactory, OrganizationFactory
from tests.fixtures.uploads import image, jpeg_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PAGE = "/workspace/field/"


@pytest.fixture
def field(live_server, agency):
    policy = SLAPolicy.objects.create(name="E2E field")
    theme = Category.objects.create(name="Payments", agency=agency, sla_policy=policy)
    category = Category.objects.create(parent=theme, name="Payment not received")
    union = OrganizationFactory(kind="workers", name="Riders' Union", verified=True)
    # A demo-domain address: development lets seeded demo staff skip the second factor.
    recorder = MembershipFactory(
        organization=agency, role=Membership.Role.CASE_OFFICER, user__email="field-e2e@demo.suara.test"
    ).user
    MembershipFactory(organization=union, role=Membership.Role.REPRESENTATIVE, user=recorder)
    return {"category": category, "union": union, "recorder": recorder}


def sign_in(page, live_server, email):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()


def prepare(browser, live_server, field, organization):
    """Signed in, page installed (controlled by its worker) and ten references on the device."""
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    sign_in(page, live_server, field["recorder"].email)
    page.goto(live_server.url + PAGE)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    # Polled from here: the page's CSP (rightly) forbids the string evaluation wait_for_function uses.
    for _attempt in range(100):
        if page.evaluate("navigator.serviceWorker.controller !== null"):
            break
        page.wait_for_timeout(100)
    page.get_by_label("You record for").select_option(label=organization.name)
    page.get_by_role("button", name="Get references for this device").click()
    expect(page.locator("#fv-counts")).to_contain_text("left on this device: 10")
    return context, page


def record(page, category, description, **extra):
    page.get_by_label("What is it about?").select_option(label=str(category))
    page.get_by_label("What happened (in the person's words)").fill(description)
    if extra.get("photo"):
        page.get_by_label("Photos of documents").set_input_files(
            {"name": "card.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(image())}
        )
    if extra.get("anonymous"):
        page.get_by_label("The person wants to stay anonymous").check()
    if extra.get("on_behalf_of"):
        page.get_by_label("On behalf of a member of").select_option(label=extra["on_behalf_of"])
        page.get_by_label("The member's name").fill("Somchai")
        page.get_by_label("The people concerned agreed").check()
    page.get_by_role("button", name="Save on this device").click()
    slip = page.locator("#fv-slip")
    slip.wait_for(state="visible")
    reference = page.locator("#fv-slip-reference").inner_text()
    pin = page.locator("#fv-slip-pin").inner_text()
    assert re.fullmatch(r"SU-\w{4}-\w{4}", reference) and re.fullmatch(r"\d{6}", pin)
    page.get_by_role("button", name="Record another case").click()
    return reference, pin


def waiting(page, count):
    expect(page.locator("#fv-counts")).to_contain_text(f"Cases waiting to be sent: {count}", timeout=15_000)


def track(browser, live_server, reference, pin):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/grievances/track/")
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("PIN").fill(pin)
    page.get_by_role("button", name="Show my grievance").click()
    page.wait_for_load_state()
    text, url = page.content(), page.url
    context.close()
    return text, url


def test_three_cases_recorded_offline_arrive_once_each_after_a_cut_sync(live_server, browser, field, agency):
    context, page = prepare(browser, live_server, field, agency)
    try:
        context.set_offline(True)
        photo = record(page, field["category"], "Card photo attached.", photo=True)
        anonymous = record(page, field["category"], "Rather not be named.", anonymous=True)
        member = record(page, field["category"], "For a union member.", on_behalf_of="Riders' Union")
        recorded_by = timezone.now()
        waiting(page, 3)

        # Closed and opened again, still without a connection: the worker serves the page.
        page.close()
        page = context.new_page()
        page.goto(live_server.url + PAGE)
        waiting(page, 3)
        assert "left on this device: 7" in page.locator("#fv-counts").inner_text()

        # Tracked before it arrives: on its way, not "not found".
        text, _ = track(browser, live_server, *photo)
        assert "has not reached us yet" in text and agency.name in text

        # Back online, the first draft reaches the server but its answer is lost on the way back.
        seen = []

        def lose_first_answer(route):
            seen.append(route.request.url)
            if len(seen) == 1:
                route.fetch()  # the server lodges it...
                route.abort()  # ...and the device never hears so
            else:
                route.continue_()

        context.route("**/workspace/field/sync/", lose_first_answer)
        context.set_offline(False)
        expect(page.locator("#fv-progress-text")).to_contain_text("connection was lost", timeout=15_000)
        assert Grievance.objects.filter(reference=photo[0]).count() == 1
        waiting(page, 3)  # nothing is deleted from the device before the server confirms it

        # Resumed: the first is answered "already", the others are created; nothing twice.
        context.unroute("**/workspace/field/sync/")
        page.get_by_role("button", name="Send now").click()
        waiting(page, 0)
        assert "All cases were sent." in page.locator("#fv-progress-text").inner_text()
        references = [photo[0], anonymous[0], member[0]]
        cases = {g.reference: g for g in Grievance.objects.filter(reference__in=references)}
        assert sorted(cases) == sorted(references) and Grievance.objects.count() == 3
        assert {g.channel for g in cases.values()} == {Grievance.Channel.FIELD_VISIT}
        assert all(g.recorded_by == field["recorder"] and g.lodged_at <= recorded_by for g in cases.values())
        assert cases[photo[0]].attachments.count() == 1
        assert cases[anonymous[0]].anonymous
        assert cases[member[0]].lodged_by_organization == field["union"]

        # In the agency's queue, each once.
        page.goto(live_server.url + f"/workspace/queue/{agency.slug}/")
        queue = page.content()
        assert all(queue.count(f"/workspace/cases/{reference}/") == 1 for reference in references)

        # Tracked after it arrived: the case itself.
        _, url = track(browser, live_server, *photo)
        assert url.endswith(f"/grievances/{photo[0]}/")
    finally:
        context.close()


def test_a_recorder_who_lost_the_role_keeps_the_drafts_with_the_reason(live_server, browser, field, agency):
    context, page = prepare(browser, live_server, field, agency)
    try:
        context.set_offline(True)
        reference, _pin = record(page, field["category"], "Recorded before the role ended.")
        Membership.objects.filter(user=field["recorder"], organization=agency).update(active=False)
        context.set_offline(False)
        expect(page.locator("#fv-drafts")).to_contain_text("no longer record", timeout=15_000)
        waiting(page, 1)
        assert not Grievance.objects.exists()
        assert Reservation.objects.get(reference=reference).revoked_reason == Reservation.Revoked.ROLE_LOST
    finally:
        context.close()


def test_signing_out_wipes_what_the_device_kept(live_server, browser, field, agency, home_page):
    context, page = prepare(browser, live_server, field, agency)
    try:
        context.set_offline(True)
        record(page, field["category"], "Never sent: signing out deletes it.")
        context.route("**/workspace/field/sync/", lambda route: route.abort())  # keep it waiting
        context.set_offline(False)
        assert page.evaluate("indexedDB.databases().then((found) => found.length)") == 1
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_load_state()
        assert page.evaluate("indexedDB.databases().then((found) => found.length)") == 0
        assert page.evaluate("caches.keys().then((found) => found.length)") == 0
        assert not Reservation.objects.outstanding().exists()
        assert not Grievance.objects.exists()
    finally:
        context.close()


def test_a_device_out_of_touch_longer_than_the_maximum_age_keeps_nothing(live_server, browser, field, agency):
    context, page = prepare(browser, live_server, field, agency)
    try:
        context.set_offline(True)
        record(page, field["category"], "Recorded, then the phone stayed in a drawer.")
        waiting(page, 1)
        # Eight days without a word from the portal (the limit is seven).
        page.evaluate(
            """() => new Promise((done) => {
                const opened = indexedDB.open("suara-field", 1);
                opened.onsuccess = () => {
                    const t = opened.result.transaction("meta", "readwrite");
                    t.objectStore("meta").put(Date.now() - 8 * 86400000, "seen");
                    t.oncomplete = () => { opened.result.close(); done(); };
                };
            })"""
        )
        page.reload()
        waiting(page, 0)
        expect(page.locator("#fv-status")).to_contain_text("older than 7 days were deleted")
        assert "left on this device: 0" in page.locator("#fv-counts").inner_text()
    finally:
        context.close()
