"""The editors' side of the Wagtail admin: preview, owners, files, choosers, questions, wording."""

import re

import pytest

from consultations.models import OrganizationIndexPage, PositionStatementPage
from consultations.services import organization_section_ensure
from portal.models import Membership
from tests.consultations.conftest import with_second_factor
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
R = Membership.Role


@pytest.fixture
def sections(home_page, union, other_union):
    index = home_page.add_child(instance=OrganizationIndexPage(title="Organizations", slug="organizations"))
    return {
        "own": organization_section_ensure(organization=union, index_page=index),
        "other": organization_section_ensure(organization=other_union, index_page=index),
    }


@pytest.fixture
def union_editor(union, sections):
    editor = with_second_factor(MembershipFactory(organization=union, role=R.EDITOR).user)
    organization_section_ensure(organization=union, index_page=sections["own"].get_parent().specific)
    return editor


@pytest.fixture
def position(sections):
    return sections["own"].add_child(
        instance=PositionStatementPage(title="Our position", slug="our-position", summary="What we think")
    )


# --- 1. the live preview may be framed by the admin itself ------------------------------


def _frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    return next(part.strip() for part in policy.split(";") if part.strip().startswith("frame-ancestors"))


def test_the_preview_of_a_page_may_be_framed_by_the_admin(client, position, union_editor):
    client.force_login(union_editor)
    url = f"/admin/pages/{position.pk}/edit/preview/"
    client.post(url, {"title": "Our position", "slug": "our-position", "summary": "Changed", "body-count": "0"})
    response = client.get(url, {"in_preview_panel": "true"})
    assert response.status_code == 200 and b"Changed" in response.content
    assert _frame_ancestors(response) == "frame-ancestors 'self'"
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_the_preview_of_a_new_page_may_be_framed_by_the_admin(client, sections, union_editor):
    client.force_login(union_editor)
    url = f"/admin/pages/add/consultations/positionstatementpage/{sections['own'].pk}/preview/"
    client.post(url, {"title": "New position", "slug": "new-position", "summary": "Fresh", "body-count": "0"})
    response = client.get(url, {"in_preview_panel": "true"})
    assert response.status_code == 200 and b"Fresh" in response.content
    assert _frame_ancestors(response) == "frame-ancestors 'self'"


def test_public_pages_still_refuse_every_frame(client, position):
    response = client.get(position.url)
    assert response.status_code == 200
    assert _frame_ancestors(response) == "frame-ancestors 'none'"


def test_the_preview_carries_the_userbar_that_runs_the_checks_panel(client, position, union_editor):
    # Without the userbar in the page, the Checks panel has nothing to run and shows "0 issues".
    client.force_login(union_editor)
    url = f"/admin/pages/{position.pk}/edit/preview/"
    client.post(url, {"title": "Our position", "slug": "our-position", "summary": "s", "body-count": "0"})
    response = client.get(url, {"in_preview_panel": "true"})
    assert b"wagtail-userbar-template" in response.content


def test_signed_in_editors_get_an_edit_bar_on_the_public_page_and_visitors_do_not(client, position, union_editor):
    assert b"wagtail-userbar" not in client.get(position.url).content
    client.force_login(union_editor)
    assert f"/admin/pages/{position.pk}/edit/".encode() in client.get(position.url).content


# --- 7. the admin loads nothing from another origin --------------------------------------

ATTRIBUTE = re.compile(rb"""(?:src|href|srcset|action)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


@pytest.mark.parametrize("path", ["/admin/", "/admin/account/", "/admin/pages/", "/admin/documents/"])
def test_admin_pages_load_nothing_from_another_origin(client, union_editor, sections, path):
    client.force_login(union_editor)
    response = client.get(path, follow=True)
    assert response.status_code == 200
    foreign = [
        url
        for url in ATTRIBUTE.findall(response.content)
        if url.startswith(b"//") or (url.startswith(b"http") and not url.startswith(b"http://testserver"))
    ]
    # Links to documentation are followed by a person; nothing the page loads by itself may leave.
    loaded = [url for url in foreign if b"gravatar" in url or url.endswith((b".js", b".css", b".png", b".svg"))]
    assert loaded == [], loaded
