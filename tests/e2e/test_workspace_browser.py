"""An officer triages, asks the complainant a question, the complainant answers, the officer decides: in Chromium."""

import pytest

from grievances.models import CaseEvent, Category, Grievance, SLAPolicy
from grievances.services import grievance_lodge
from grievances.workflow import Status
from portal.models import Membership
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, email):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()


def test_officer_triages_requests_information_and_resolves(live_server, browser, home_page, agency):
    policy = SLAPolicy.objects.create(name="E2E workspace")
    theme = Category.objects.create(name="Payments", agency=agency, sla_policy=policy)
    category = Category.objects.create(parent=theme, name="Payment not received")
    # A demo-domain address: development lets seeded demo staff skip the second factor.
    officer = MembershipFactory(
        organization=agency, role=Membership.Role.CASE_OFFICER, user__email="officer-e2e@demo.suara.test"
    ).user
    lodged = grievance_lodge(
        category=category,
        description="My payment of 600 baht did not arrive. ทดสอบ",
        contact_preference=Grievance.Contact.NONE,
        anonymous=True,
    )
    reference, pin = lodged.grievance.reference, lodged.pin
    errors = []

    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    officer_page = staff.new_page()
    officer_page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    complainant = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    complainant_page = complainant.new_page()
    try:
        sign_in(officer_page, live_server, officer.email)
        # One agency: the workspace opens straight on its queue.
        officer_page.goto(live_server.url + "/workspace/")
        officer_page.wait_for_url(f"**/workspace/queue/{agency.slug}/")
        assert "Unassigned (1)" in officer_page.get_by_role("navigation", name="Queues").inner_text()
        officer_page.get_by_role("link", name=reference).click()
        officer_page.wait_for_url(f"**/workspace/cases/{reference}/")

        # Triage: take the case, then ask a question.
        officer_page.get_by_label("Assign to").select_option(label=officer.get_full_name())
        officer_page.get_by_role("button", name="Assign", exact=True).click()
        assert "The case is assigned." in officer_page.locator(".messages").inner_text()
        officer_page.get_by_label("Question for the complainant").fill("Which e-wallet do you use?")
        officer_page.get_by_role("button", name="Send the question").click()
        assert "The deadline is paused" in officer_page.locator(".messages").inner_text()
        assert "Paused" in officer_page.locator(".facts").first.inner_text()

        # The complainant answers from their own pages, with reference and PIN.
        complainant_page.goto(live_server.url + "/grievances/track/")
        complainant_page.get_by_label("Reference").fill(reference)
        complainant_page.get_by_label("PIN").fill(pin)
        complainant_page.get_by_role("button", name="Show my grievance").click()
        complainant_page.wait_for_url(f"**/grievances/{reference}/")
        assert "Which e-wallet do you use?" in complainant_page.content()
        complainant_page.get_by_label("Your answer").fill("TrueMoney, number ending 1234.")
        complainant_page.get_by_role("button", name="Send my answer").click()
        complainant_page.wait_for_url(f"**/grievances/{reference}/")

        # The officer sees the answer and decides.
        officer_page.reload()
        assert "TrueMoney, number ending 1234." in officer_page.locator("#timeline").inner_text()
        officer_page.get_by_label("Not upheld").check()
        officer_page.get_by_label("Reasons").fill("The payment reached that wallet on 3 May.")
        officer_page.get_by_role("button", name="Record the decision").click()
        assert "The decision has been recorded" in officer_page.locator(".messages").inner_text()

        complainant_page.reload()
        assert "The payment reached that wallet on 3 May." in complainant_page.content()
    finally:
        staff.close()
        complainant.close()

    grievance = Grievance.objects.get(reference=reference)
    assert grievance.status == Status.RESOLVED and grievance.decision == "not_upheld"
    kinds = list(grievance.events.values_list("kind", flat=True))
    for kind in (CaseEvent.Kind.ASSIGNED, CaseEvent.Kind.INFORMATION_REQUESTED, CaseEvent.Kind.RESOLVED):
        assert kind in kinds
    assert grievance.accesses.filter(user=officer).count() >= 3
    assert errors == []
