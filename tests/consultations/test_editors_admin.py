"""The editors' side of the Wagtail admin: preview, owners, files, choosers, questions, wording."""

import re

import pytest

from consultations.models import PositionStatementPage
from consultations.services import organization_section_ensure
from portal.models import Membership
from tests.consultations.conftest import with_second_factor
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
R = Membership.Role


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


# --- 2. a consultation is published only in the name of an organization one runs ----------


@pytest.fixture
def owners_group(index_page):
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission

    group = Group.objects.create(name="test consultation owners")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for permission_type in ("add", "change", "publish"):
        GroupPagePermission.objects.create(group=group, page=index_page, permission_type=permission_type)
    return group


def _consultation_post(owner, **overrides):
    data = {
        "title": "Pensions for riders",
        "slug": "pensions-for-riders",
        "summary": "What do you think?",
        "opens_at": "2030-01-01 09:00",
        "closes_at": "2030-02-01 09:00",
        "owner_organization": str(owner.pk),
        "audience": "public",
    }
    for stream in ("body", "documents", "questions", "what_we_heard", "outcome"):
        data[f"{stream}-count"] = "0"
    data.update(overrides)
    return data


def test_the_owner_list_offers_only_organizations_one_runs_consultations_for(
    client, index_page, manager, ministry, employers, owners_group
):
    owners_group.user_set.add(manager)
    client.force_login(manager)
    response = client.get(f"/admin/pages/add/consultations/consultationpage/{index_page.pk}/")
    assert response.status_code == 200
    choices = list(response.context["form"].fields["owner_organization"].queryset)
    assert choices == [ministry]


@pytest.mark.parametrize("action", [{}, {"action-publish": "action-publish"}])
def test_a_crafted_post_cannot_publish_in_another_organizations_name(
    client, index_page, manager, employers, owners_group, action
):
    from consultations.models import ConsultationPage

    owners_group.user_set.add(manager)
    client.force_login(manager)
    url = f"/admin/pages/add/consultations/consultationpage/{index_page.pk}/"
    response = client.post(url, {**_consultation_post(employers), **action})
    assert response.status_code == 200  # the form again, with its error
    assert "owner_organization" in response.context["form"].errors
    assert not ConsultationPage.objects.filter(slug="pensions-for-riders").exists()


def test_an_owner_publishes_in_their_own_name(client, index_page, manager, ministry, owners_group):
    from consultations.models import ConsultationPage

    owners_group.user_set.add(manager)
    client.force_login(manager)
    url = f"/admin/pages/add/consultations/consultationpage/{index_page.pk}/"
    response = client.post(url, {**_consultation_post(ministry), "action-publish": "action-publish"})
    assert response.status_code == 302
    assert ConsultationPage.objects.get(slug="pensions-for-riders").live


# --- 4. unpublished consultations stay unseen by other organizations' editors ---------------


def test_the_consultations_cited_list_hides_others_unpublished_consultations(
    client, position, union_editor, make_consultation
):
    published = make_consultation("open", title="Published consultation")
    draft = make_consultation("upcoming", title="Secret draft consultation")
    draft.unpublish()
    client.force_login(union_editor)
    response = client.get(f"/admin/pages/{position.pk}/edit/")
    assert response.status_code == 200
    assert b"Published consultation" in response.content
    assert b"Secret draft consultation" not in response.content
    queryset = response.context["form"].fields["consultations"].queryset
    assert list(queryset) == [published]
    assert response.context["form"].fields["consultations"].help_text


# --- 3. each organization has its own files ----------------------------------------------


@pytest.fixture
def files(union, other_union, union_editor, sections):
    from portal import memberships

    return {
        "own": memberships.organization_files_sync(organization=union),
        "other": memberships.organization_files_sync(organization=other_union),
    }


def _upload(client, collection, name="draft-policy.txt"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/admin/documents/add/",
        {"title": "Draft policy", "collection": collection.pk, "file": SimpleUploadedFile(name, b"the draft")},
    )


def test_an_editor_uploads_into_and_chooses_from_their_own_collection_only(client, union_editor, files):
    from wagtail.documents.models import Document

    client.force_login(union_editor)
    assert _upload(client, files["own"]).status_code == 302
    assert Document.objects.get(title="Draft policy").collection == files["own"]
    # A crafted post into another organization's collection does not land there.
    _upload(client, files["other"], "sneaky.txt")
    assert not Document.objects.filter(collection=files["other"]).exists()
    theirs = Document.objects.create(title="Their secret memo", collection=files["other"])
    chooser = client.get("/admin/documents/chooser/")
    assert chooser.status_code == 200
    assert b"Draft policy" in chooser.content and b"Their secret memo" not in chooser.content
    assert client.get(f"/admin/documents/edit/{theirs.pk}/").status_code in (302, 403)


def test_an_organizations_document_is_public_only_once_a_live_page_uses_it(
    client, union_editor, files, make_consultation, ministry
):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document
    from wagtail.models import ReferenceIndex

    document = Document(title="Draft policy", collection=files["own"])
    document.file.save("draft-policy.txt", ContentFile(b"the draft"), save=True)
    url = document.url
    assert client.get(url).status_code == 404
    client.force_login(union_editor)
    assert client.get(url).status_code == 200
    client.logout()
    consultation = make_consultation("upcoming", documents=[("document", document)])
    # What Wagtail's reference-index task does in the worker after the save.
    ReferenceIndex.create_or_update_for_object(consultation)
    assert client.get(url).status_code == 200
    consultation.unpublish()
    assert client.get(url).status_code == 404


# --- 6. and 8. the question editor ---------------------------------------------------


def test_a_choice_question_offers_two_labelled_options_to_start_with():
    from consultations.blocks import SingleChoiceQuestionBlock

    options = SingleChoiceQuestionBlock().child_blocks["options"]
    assert len(options.get_default()) == 2
    assert options.child_block.field.widget.attrs["aria-label"] == "Option"
    rendered = options.child_block.field.widget.render("option", "", attrs={"id": "option"})
    assert 'aria-label="Option"' in rendered


# --- 8. wording and gaps -------------------------------------------------------------------


def test_the_submit_button_names_the_organization_not_its_slug(client, sections, union, union_editor, position):
    assert sections["own"].get_workflow().name == f"approval by {union.name}"
    client.force_login(union_editor)
    html = client.get(f"/admin/pages/{position.pk}/edit/").content.decode()
    assert "Submit to approval by Riders" in html and union.slug not in html.split("Submit to", 1)[1][:80]


def test_an_old_slug_named_workflow_is_renamed(sections, union):
    workflow = sections["own"].get_workflow()
    workflow.name = f"Positions of {union.slug}"
    workflow.save()
    organization_section_ensure(organization=union, index_page=sections["own"].get_parent().specific)
    workflow.refresh_from_db()
    assert workflow.name == f"approval by {union.name}"


def test_an_owner_closes_a_consultation_now_from_the_manage_desk(client, consultation, manager, union_rep):
    from consultations.models import State

    client.force_login(union_rep)
    assert client.post(consultation.url + "manage/", {"action": "close_now"}).status_code in (302, 403)
    consultation.refresh_from_db()
    assert consultation.state == State.OPEN
    client.force_login(manager)
    page = client.get(consultation.url + "manage/")
    assert b"close_now" in page.content
    response = client.post(consultation.url + "manage/", {"action": "close_now"})
    assert response.status_code == 302, response.content[:3000]
    consultation.refresh_from_db()
    assert consultation.state == State.CLOSED and not consultation.has_unpublished_changes
    assert b"close_now" not in client.get(consultation.url + "manage/").content


def test_closing_now_keeps_unpublished_edits_a_draft(consultation, manager):
    from consultations.models import State
    from consultations.services import consultation_close_now

    draft = consultation.get_latest_revision_as_object()
    draft.summary = "Half-finished rewording"
    draft.save_revision(user=manager)
    closed = consultation_close_now(user=manager, consultation=consultation)
    assert closed.state == State.CLOSED and closed.summary != "Half-finished rewording"
    assert closed.get_latest_revision_as_object().summary == "Half-finished rewording"


def test_the_admin_links_a_consultation_to_its_manage_desk(client, consultation, manager, owners_group):
    owners_group.user_set.add(manager)
    client.force_login(manager)
    html = client.get(f"/admin/pages/{consultation.pk}/edit/").content.decode()
    assert f'href="{consultation.url}manage/"' in html


def test_the_account_page_offers_only_real_time_zones(client, union_editor):
    # The browser's Intl API throws on "localtime" and the like, breaking the account page's script.
    import zoneinfo

    from wagtail.admin.localization import get_available_admin_time_zones

    zones = get_available_admin_time_zones()
    assert "Asia/Bangkok" in zones and "localtime" not in zones and "Factory" not in zones
    assert set(zones) <= zoneinfo.available_timezones()
    client.force_login(union_editor)
    assert b"Asia/Manila" in client.get("/admin/account/").content


def test_the_owners_approver_opens_the_consultation_to_approve_it_and_others_cannot(
    client, consultation, ministry, employers
):
    from consultations.services import consultation_owners_sync
    from portal import memberships

    consultation_owners_sync()
    approver = with_second_factor(MembershipFactory(organization=ministry, role=R.APPROVER).user)
    outsider = with_second_factor(MembershipFactory(organization=employers, role=R.APPROVER).user)
    memberships.memberships_follow(organization=ministry)
    client.force_login(approver)
    assert client.get(f"/admin/pages/{consultation.pk}/edit/").status_code == 200
    client.force_login(outsider)
    assert client.get(f"/admin/pages/{consultation.pk}/edit/").status_code in (302, 403)


def test_a_draft_consultation_goes_to_its_owners_approvers_and_no_other_bodys(client, consultation, ministry, manager):
    """Another government body's approvers are not asked, not e-mailed, and do not see the draft's title."""
    from django.core import mail
    from wagtail.models import TaskState

    from consultations.services import consultation_owners_sync
    from portal import memberships
    from tests.factories import OrganizationFactory

    other_body = OrganizationFactory(kind="government", name="Ministry of Fisheries")
    own = with_second_factor(MembershipFactory(organization=ministry, role=R.APPROVER).user)
    other = with_second_factor(MembershipFactory(organization=other_body, role=R.APPROVER).user)
    consultation_owners_sync()
    memberships.memberships_follow(organization=ministry)
    memberships.memberships_follow(organization=other_body)

    draft = consultation.get_latest_revision_as_object()
    draft.title = "Draft on a confidential pension reform"
    revision = draft.save_revision(user=manager)
    workflow = consultation.specific.get_workflow()
    assert ministry.name in workflow.name and other_body.name not in workflow.name
    mail.outbox = []
    workflow.start(consultation.specific, user=manager)
    assert revision.pk

    assert TaskState.objects.reviewable_by(own).filter(workflow_state__object_id=str(consultation.pk)).exists()
    assert not TaskState.objects.reviewable_by(other).exists()
    told = {address for message in mail.outbox for address in message.to}
    assert own.email in told and other.email not in told
    client.force_login(other)
    assert "confidential pension reform" not in client.get("/admin/").content.decode()
    client.force_login(own)
    assert "confidential pension reform" in client.get("/admin/").content.decode()
