"""Lodge, follow, answer and hear the decision by text, on the development phone in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from grievances import services
from grievances.models import Category, Grievance, SLAPolicy
from portal.models import Membership
from tests.factories import MembershipFactory
from tests.grievances.test_lodge import run_tasks

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = "/dev/sms/"


@pytest.fixture
def line(live_server, agency, settings, tmp_path):
    settings.SMS_DEV_GATEWAY = True
    settings.SMS_BACKEND = "portal.lib.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms.log"
    policy = SLAPolicy.objects.create(name="E2E SMS")
    theme = Category.objects.create(name="Payments", agency=agency, sla_policy=policy)
    Category.objects.create(parent=theme, name="Payment not received")
    officer = MembershipFactory(organization=agency, role=Membership.Role.CASE_OFFICER).user
    return {"officer": officer}


def text(page, body: str) -> None:
    page.get_by_label("Message").fill(body)
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()


def last_reply(page) -> str:
    return page.get_by_test_id("thread").locator("li[data-direction=out]").last.inner_text()


def test_lodge_follow_answer_and_get_the_decision_by_text(page, live_server, line):
    page.goto(live_server.url + PHONE)
    page.get_by_label("Send as the number").fill("+66 80 000 0001")
    text(page, "HELP")
    assert "Describe the problem" in last_reply(page)
    text(page, "My child benefit did not arrive in October.")
    text(page, "DONE")
    assert "1 Yes" in last_reply(page)
    text(page, "1")  # anonymous
    text(page, "1")  # confirm
    received = last_reply(page)
    reference, pin = re.search(r"(SU-\w{4}-\w{4}) PIN (\d{6})", received).groups()

    text(page, f"status {reference.lower()} {pin}")
    assert "Social Security Office" in last_reply(page) or reference in last_reply(page)

    grievance = Grievance.objects.get(reference=reference)
    services.grievance_request_information(
        grievance=grievance, user=line["officer"], body="Which bank account?", version=grievance.version
    )
    run_tasks()
    run_tasks()
    page.reload()
    expect(page.get_by_test_id("notices")).to_contain_text("Which bank account?")

    text(page, "The account ending 1234.")
    assert "deadline runs again" in last_reply(page)

    grievance.refresh_from_db()
    services.grievance_resolve(
        grievance=grievance,
        user=line["officer"],
        decision=Grievance.Decision.UPHELD,
        reasons="We paid the benefit.",
        remedy="Paid on 1 December.",
        version=grievance.version,
    )
    run_tasks()
    run_tasks()
    page.reload()
    expect(page.get_by_test_id("notices")).to_contain_text("We paid the benefit.")
    assert page.console_errors == []
