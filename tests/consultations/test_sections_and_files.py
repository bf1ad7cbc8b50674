"""Organizations' sections in the Wagtail admin, response attachments, and the demo data."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.models import Page

from consultations.models import PositionStatementPage, Response
from consultations.services import organization_section_ensure
from portal.models import Membership
from tests.consultations.conftest import form_data, with_second_factor
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
R = Membership.Role


def test_an_organization_editor_edits_only_their_own_section(client, sections, union_editor):
    # Even in Wagtail's broad "Editors" group (permissions on the whole tree).
    Group.objects.get(name="Editors").user_set.add(union_editor)
    client.force_login(union_editor)
    assert client.get(f"/admin/pages/{sections['own'].pk}/edit/").status_code == 200
    refused = client.get(f"/admin/pages/{sections['other'].pk}/edit/")
    assert refused.status_code in (302, 403) and "/edit/" not in refused.get("Location", "")
    add_other = f"/admin/pages/add/consultations/positionstatementpage/{sections['other'].pk}/"
    assert client.get(add_other).status_code in (302, 403)
    add_own = f"/admin/pages/add/consultations/positionstatementpage/{sections['own'].pk}/"
    assert client.get(add_own).status_code == 200


def test_a_position_goes_through_the_organizations_approver(client, sections, union, union_editor):
    approver = with_second_factor(MembershipFactory(organization=union, role=R.ADMIN).user)
    organization_section_ensure(organization=union, index_page=sections["own"].get_parent().specific)
    position = sections["own"].add_child(
        instance=PositionStatementPage(title="Draft position", slug="draft-position", summary="s", live=False)
    )
    assert not position.permissions_for_user(union_editor).can_publish()
    assert position.permissions_for_user(approver).can_publish()
    workflow = sections["own"].get_workflow()
    assert workflow is not None and sections["other"].get_workflow() != workflow
    approvers = workflow.tasks.first().specific.groups.get()
    assert list(approvers.user_set.all()) == [approver]
    # A mandate that ends leaves the group on the next sync.
    Membership.objects.filter(user=approver, role=R.ADMIN).update(active=False)
    organization_section_ensure(organization=union, index_page=sections["own"].get_parent().specific)
    assert not approvers.user_set.exists()


def test_sections_are_made_once(sections, union):
    before = Page.objects.count(), Group.objects.count()
    organization_section_ensure(organization=union, index_page=sections["own"].get_parent().specific)
    assert (Page.objects.count(), Group.objects.count()) == before


def test_positions_appear_side_by_side_on_the_consultation(client, sections, consultation, employers):
    from tests.factories import HOSTILE

    index = sections["own"].get_parent().specific
    employers_section = organization_section_ensure(organization=employers, index_page=index)
    for section, title in ((sections["own"], f"Workers say {HOSTILE}"), (employers_section, "Employers say")):
        position = section.add_child(instance=PositionStatementPage(title=title, slug=f"p-{section.pk}", summary="s"))
        position.consultations.set([consultation])
        position.save_revision().publish()
    html = client.get(consultation.url).content.decode()
    assert html.index("Workers say &lt;script&gt;") < html.index("Employers say")
    assert "Positions of the social partners" in html


PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def test_a_response_carries_a_position_paper_readable_only_as_consented(
    client, consultation, beneficiary, manager, settings, tmp_path, frozen
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    client.force_login(beneficiary)
    data = form_data(publication="anonymous")
    data["attachments"] = SimpleUploadedFile("paper <b>.pdf", PDF, content_type="application/pdf")
    response = client.post(consultation.url + "respond/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    attachment = Response.objects.get().attachments.get()
    url = consultation.url + f"attachments/{attachment.pk}/"
    download = client.get(url)
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF
    client.logout()
    # Anonymous publication: a file could name its author, so it stays with the owner.
    assert client.get(url).status_code == 404
    client.force_login(manager)
    assert client.get(url).status_code == 200


def test_the_demo_seeder_is_idempotent_and_its_pages_render(client, home_page):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("seed_demo", "--quiet-accounts", stdout=out)
    first = Response.objects.count()
    call_command("seed_demo", "--quiet-accounts", stdout=out)
    assert "Consultations: 0 new rows." in out.getvalue()
    assert Response.objects.count() == first >= 8
    for url in (
        "/consultations/",
        "/consultations/digital-wage-payments-platform-workers/",
        "/consultations/maternity-cash-benefit-informal-workers/results/",
        "/organizations/nef/employers-on-digital-wage-payments/",
    ):
        assert client.get(url, follow=True).status_code == 200, url


def test_the_owner_reads_a_withheld_attachment_only_with_a_second_factor(
    client, consultation, beneficiary, ministry, settings, tmp_path, frozen
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    client.force_login(beneficiary)
    data = form_data(publication="none")
    data["attachments"] = SimpleUploadedFile("paper.pdf", PDF, content_type="application/pdf")
    assert client.post(consultation.url + "respond/", data).status_code == 302
    url = consultation.url + f"attachments/{Response.objects.get().attachments.get().pk}/"
    owner = MembershipFactory(organization=ministry, role=R.ADMIN).user

    client.force_login(owner)
    refused = client.get(url)
    assert refused.status_code == 302 and "/accounts/2fa/" in refused["Location"]
    assert not hasattr(refused, "streaming_content")

    client.force_login(with_second_factor(owner))
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    # The author needs no second factor for their own file.
    client.force_login(beneficiary)
    assert client.get(url).status_code == 200
