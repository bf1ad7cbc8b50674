"""A union representative drafts, returns to and submits a response for the union, in a real browser."""

import datetime

import pytest
from django.utils import timezone

from consultations.models import ConsultationIndexPage, Response
from portal.models import Membership, Organization
from tests.factories import HOSTILE_QUESTION_IDS, MembershipFactory, OrganizationFactory, consultation_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
Q = HOSTILE_QUESTION_IDS


def sign_in(page, live_server, email):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()


def test_a_union_representative_drafts_returns_and_submits_for_the_union(live_server, page, home_page):
    ministry = OrganizationFactory(kind=Organization.Kind.GOVERNMENT, slug="mosd-e2e")
    union = OrganizationFactory(kind=Organization.Kind.WORKERS, name="Riders' Union", slug="riders-e2e")
    rep = MembershipFactory(organization=union, role=Membership.Role.REPRESENTATIVE).user
    index = home_page.add_child(instance=ConsultationIndexPage(title="Consultations", slug="consultations"))
    now = timezone.now()
    consultation = consultation_page(
        index,
        owner=ministry,
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=9),
        title="Digital wage payments",
        slug="digital-wages",
    )

    sign_in(page, live_server, rep.email)
    page.goto(live_server.url + consultation.url)
    page.get_by_role("link", name="Respond to this consultation").click()
    page.get_by_role("link", name="Riders' Union").click()

    # A first go: some text, then "save as a draft".
    page.get_by_label("Text", exact=False).first.fill("Riders need accounts in their own names.")
    page.get_by_role("button", name="Save as a draft").click()
    assert "Your draft is saved" in page.content()
    draft = Response.objects.get()
    assert draft.status == "draft" and draft.organization == union

    # Later: come back from the consultation page, and find the draft as left.
    page.goto(live_server.url + consultation.url)
    page.get_by_role("link", name="continue your draft").click()
    assert page.locator(f"#id_q_{Q['text']}").input_value() == "Riders need accounts in their own names."

    # Submitting without the required choice shows a summary that leads to the question.
    page.get_by_role("button", name="Submit my response").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    summary.locator("a").first.click()
    assert page.evaluate("document.activeElement.id").startswith("id_q_")

    page.locator(f"#id_q_{Q['single']}_2").check()
    page.get_by_label("Publish it with my name (or my organization's)").check()
    page.get_by_role("button", name="Submit my response").click()
    assert "your response has been submitted" in page.content()
    draft.refresh_from_db()
    assert draft.status == "submitted" and draft.answers[Q["single"]] == "C"
    assert draft.publication == "named"
    assert page.console_errors == []
