"""The editors' side in a real browser: live preview, an organization running itself, axe on the admin pages."""

import json

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from consultations.models import ConsultationIndexPage, OrganizationIndexPage, PositionStatementPage
from consultations.services import consultation_owners_sync, organization_section_ensure
from portal import memberships
from portal.models import Membership, Organization
from tests.consultations.conftest import with_second_factor
from tests.e2e.axe import axe_findings
from tests.factories import OrganizationFactory, UserFactory, consultation_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
R = Membership.Role
# Findings that come from Wagtail's own admin markup, not Suara's panels, blocks or templates; each
# is described in docs/editors.md. Keyed by axe rule and a piece of the offending element's selector.
UPSTREAM = {}


def sign_in(page, live_server, user):
    """A session made on the server, handed to the browser: the sign-in form is tested elsewhere."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server.url}]
    )


def own_findings(findings: list[dict]) -> list[dict]:
    own = []
    for finding in findings:
        targets = [t for t in finding["targets"] if not any(piece in t for piece in UPSTREAM.get(finding["rule"], ()))]
        if targets:
            own.append({**finding, "targets": targets})
    return own


@pytest.fixture
def world(home_page):
    ministry = OrganizationFactory(kind=Organization.Kind.GOVERNMENT, name="Ministry", slug="mosd-e2e")
    union = OrganizationFactory(kind=Organization.Kind.WORKERS, name="Riders' Union", slug="riders-e2e")
    consultations = home_page.add_child(instance=ConsultationIndexPage(title="Consultations", slug="consultations"))
    sections_index = home_page.add_child(instance=OrganizationIndexPage(title="Organizations", slug="organizations"))
    section = organization_section_ensure(organization=union, index_page=sections_index)
    consultation_owners_sync()
    people = {}
    for key, organization, role in (
        ("admin", union, R.ADMIN),
        ("editor", union, R.EDITOR),
        ("approver", union, R.APPROVER),
        ("owner", ministry, R.EDITOR),
    ):
        people[key] = with_second_factor(UserFactory(email=f"{key}@example.org", display_name=key.title()))
        memberships.membership_grant(actor=None, organization=organization, user=people[key], role=role)
    now = timezone.now()
    consultation = consultation_page(
        consultations,
        owner=ministry,
        opens_at=now + timezone.timedelta(days=1),
        closes_at=now + timezone.timedelta(days=20),
        title="Digital wage payments",
        slug="digital-wages",
    )
    position = section.add_child(
        instance=PositionStatementPage(title="Riders need accounts", slug="accounts", summary="Accounts for riders")
    )
    return {"union": union, "section": section, "consultation": consultation, "position": position, **people}


def open_preview(page):
    toggle = page.get_by_role("button", name="Toggle preview")
    # Wagtail remembers an open panel from the previous page.
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    # Wagtail loads each new preview in a second frame and swaps it in; the one shown keeps this id.
    return page.frame_locator("#w-preview-iframe")


def test_the_live_preview_shows_the_page_in_the_editor(live_server, page, world):
    for user, target, text in (
        (world["editor"], world["position"], "Accounts for riders"),
        (world["owner"], world["consultation"], "Digital wage payments"),
    ):
        sign_in(page, live_server, user)
        page.goto(f"{live_server.url}/admin/pages/{target.pk}/edit/")
        frame = open_preview(page)
        frame.get_by_text(text).first.wait_for(timeout=20000)
    assert not [e for e in page.console_errors if "Content Security Policy" in e or "frame" in e.lower()]


def test_axe_finds_nothing_serious_of_ours_on_the_editors_pages(live_server, page, world):
    report = {}
    for user, path in (
        (world["editor"], f"/admin/pages/{world['position'].pk}/edit/"),
        (world["editor"], f"/admin/pages/{world['section'].pk}/"),
        (world["approver"], "/admin/"),
        (world["owner"], f"/admin/pages/{world['consultation'].pk}/edit/"),
        (world["admin"], f"/admin/people/{world['union'].slug}/"),
    ):
        sign_in(page, live_server, user)
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert page.url == live_server.url + path  # not sent to sign in or to set up a second factor
        report[path] = axe_findings(page)
    print(json.dumps(report, indent=1))
    assert {path: own_findings(found) for path, found in report.items() if own_findings(found)} == {}


def test_an_admin_invites_an_editor_who_writes_and_submits_and_the_approver_approves(live_server, page, world):
    from django.core import mail

    invitee = with_second_factor(UserFactory(email="lan@example.org", display_name="Lan"))
    sign_in(page, live_server, world["admin"])
    page.goto(f"{live_server.url}/admin/people/{world['union'].slug}/")
    page.get_by_label("E-mail address").fill("lan@example.org")
    page.get_by_label("Role", exact=True).select_option("editor")
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_load_state()
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/my/invitations/" in line).strip()

    page.context.clear_cookies()
    sign_in(page, live_server, invitee)
    page.goto(live_server.url + "/my/invitations/" + link.split("/my/invitations/", 1)[1])
    page.get_by_role("button", name="Accept").click()
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/admin/pages/add/consultations/positionstatementpage/{world['section'].pk}/")
    page.locator("#id_title").fill("Riders deserve pensions")
    page.locator("#id_summary").fill("Every platform should contribute.")
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name=f"Submit to approval by {world['union'].name}").click()
    page.wait_for_load_state()
    statement = PositionStatementPage.objects.get(title="Riders deserve pensions")
    assert not statement.live and statement.current_workflow_state is not None

    page.context.clear_cookies()
    sign_in(page, live_server, world["approver"])
    page.goto(f"{live_server.url}/admin/")
    assert "Riders deserve pensions" in page.content()  # the task waits on the approver's dashboard
    page.goto(f"{live_server.url}/admin/pages/{statement.pk}/edit/")
    approve = page.locator("button[data-workflow-action-name='approve']:not([data-workflow-action-modal-url])")
    if not approve.is_visible():
        page.get_by_role("button", name="More actions").click()
    approve.click()
    page.wait_for_load_state("networkidle")
    statement.refresh_from_db()
    assert statement.live
