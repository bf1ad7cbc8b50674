"""An organization runs itself: invitations, roles, the record, and Wagtail groups that follow at once."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from portal import memberships
from portal.models import Membership, MembershipEvent
from tests.consultations.conftest import with_second_factor
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
R = Membership.Role


@pytest.fixture
def union_admin(union, sections):
    admin = with_second_factor(UserFactory())
    memberships.membership_grant(actor=None, organization=union, user=admin, role=R.ADMIN)
    return admin


@pytest.fixture
def other_admin(other_union, sections):
    admin = with_second_factor(UserFactory())
    memberships.membership_grant(actor=None, organization=other_union, user=admin, role=R.ADMIN)
    return admin


def _section_group(organization, suffix):
    return Group.objects.get(name=f"section:{organization.slug}:{suffix}")


def test_an_organization_admin_invites_an_editor_who_accepts_and_may_write_at_once(
    client, union, sections, union_admin, django_capture_on_commit_callbacks
):
    invitee = with_second_factor(UserFactory(email="lan@example.org"))
    client.force_login(union_admin)
    page = client.get(f"/admin/people/{union.slug}/")
    assert page.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/people/{union.slug}/", {"action": "invite", "email": "Lan@Example.org", "role": R.EDITOR}
        )
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["lan@example.org"]]
    link = re.search(r"https?://\S+/my/invitations/\S+/", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]

    client.force_login(invitee)
    assert client.get(f"/{path}").status_code == 200
    assert client.post(f"/{path}").status_code == 302
    assert Membership.objects.active().filter(user=invitee, organization=union, role=R.EDITOR).exists()
    # The Wagtail groups follow at once: no command to run.
    assert _section_group(union, "editors").user_set.filter(pk=invitee.pk).exists()
    add_own = f"/admin/pages/add/consultations/positionstatementpage/{sections['own'].pk}/"
    assert client.get(add_own).status_code == 200
    # A second use of the same link is refused.
    assert client.post(f"/{path}").status_code == 400
    record = list(MembershipEvent.objects.filter(organization=union).values_list("action", "subject_email"))
    assert ("invited", "lan@example.org") in record and ("accepted", "lan@example.org") in record


def test_an_invitation_is_taken_only_by_the_address_it_was_sent_to(client, union, union_admin):
    invitation = memberships.membership_invite(
        actor=union_admin, organization=union, email="someone@example.org", role=R.APPROVER, base_url="http://x/"
    )
    stranger = UserFactory(email="stranger@example.org")
    client.force_login(stranger)
    response = client.post(f"/my/invitations/{memberships.invitation_token(invitation)}/")
    assert response.status_code == 403
    assert not Membership.objects.filter(organization=union, user=stranger).exists()
    assert client.post("/my/invitations/forged-token/").status_code == 400


def test_roles_given_and_removed_move_people_in_and_out_of_the_approvers_at_once(client, union, union_admin):
    person = with_second_factor(MembershipFactory(organization=union, role=R.REPRESENTATIVE).user)
    membership = Membership.objects.get(user=person)
    client.force_login(union_admin)
    url = f"/admin/people/{union.slug}/"
    assert client.post(url, {"action": "grant", "membership": membership.pk, "role": R.APPROVER}).status_code == 302
    approvers = _section_group(union, "approvers")
    assert approvers.user_set.filter(pk=person.pk).exists()
    approver = Membership.objects.get(user=person, role=R.APPROVER)
    assert client.post(url, {"action": "revoke", "membership": approver.pk}).status_code == 302
    assert not approvers.user_set.filter(pk=person.pk).exists()
    actions = list(MembershipEvent.objects.filter(organization=union).values_list("action", "role", "actor"))
    assert ("granted", R.APPROVER, union_admin.pk) in actions and ("revoked", R.APPROVER, union_admin.pk) in actions


def test_the_people_page_and_its_posts_are_refused_to_other_organizations_and_to_non_admins(
    client, union, other_union, union_admin, other_admin
):
    editor = with_second_factor(MembershipFactory(organization=union, role=R.EDITOR).user)
    membership = Membership.objects.get(user=editor)
    url = f"/admin/people/{union.slug}/"
    for outsider in (other_admin, editor):
        client.force_login(outsider)
        assert client.get(url).status_code in (302, 403)
        for post in (
            {"action": "revoke", "membership": membership.pk},
            {"action": "grant", "membership": membership.pk, "role": R.ADMIN},
            {"action": "invite", "email": "x@example.org", "role": R.ADMIN},
        ):
            assert client.post(url, post).status_code in (302, 403)
    # A membership of another organization cannot be reached through one's own page.
    client.force_login(other_admin)
    other_url = f"/admin/people/{other_union.slug}/"
    assert client.post(other_url, {"action": "revoke", "membership": membership.pk}).status_code == 404
    assert Membership.objects.get(pk=membership.pk).active
    assert not Membership.objects.filter(user=editor, role=R.ADMIN).exists()


def test_the_last_administrator_cannot_leave_the_organization_orphaned(client, union, union_admin):
    client.force_login(union_admin)
    own = Membership.objects.get(user=union_admin, role=R.ADMIN)
    client.post(f"/admin/people/{union.slug}/", {"action": "revoke", "membership": own.pk})
    assert Membership.objects.get(pk=own.pk).active


def test_organization_admins_see_their_people_in_the_admin_menu(client, union, union_admin):
    client.force_login(union_admin)
    response = client.get("/admin/people/", follow=True)
    assert response.redirect_chain[-1][0] == f"/admin/people/{union.slug}/"
    assert b"/admin/people/" in client.get("/admin/").content


def test_the_people_page_costs_the_same_queries_however_many_people(client, union, union_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(union_admin)
    url = f"/admin/people/{union.slug}/"

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for _ in range(2):
        memberships.membership_grant(actor=union_admin, organization=union, user=UserFactory(), role=R.EDITOR)
    few = queries()
    for _ in range(6):
        memberships.membership_grant(actor=union_admin, organization=union, user=UserFactory(), role=R.APPROVER)
    assert queries() == few
