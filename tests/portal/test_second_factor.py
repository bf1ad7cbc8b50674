"""Staff roles reach the workspace and the admin only with a second factor."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from portal.middleware import DEMO_EMAIL_DOMAIN
from portal.models import Membership
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PROTECTED = ["/workspace/", "/admin/"]


@pytest.fixture
def settings_without_demo_exemption(settings):
    settings.SUARA_MFA_EXEMPT_DEMO = False
    return settings


@pytest.mark.smoke
@pytest.mark.parametrize("path", PROTECTED)
@pytest.mark.parametrize(
    "role", [Membership.Role.CASE_OFFICER, Membership.Role.SUPERVISOR, Membership.Role.EDITOR, Membership.Role.ADMIN]
)
def test_staff_without_a_second_factor_are_sent_to_set_one_up(client, agency, role, path):
    user = MembershipFactory(organization=agency, role=role).user
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


@pytest.mark.parametrize("path", PROTECTED)
def test_superuser_without_a_second_factor_is_sent_to_set_one_up(client, path):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get(path)["Location"].startswith(reverse("mfa_activate_totp"))


def test_staff_with_a_second_factor_reach_the_workspace(client, officer, agency):
    TOTP.activate(officer, generate_totp_secret())
    client.force_login(officer)
    response = client.get("/workspace/", follow=True)
    assert response.status_code == 200
    assert agency.name in response.content.decode()


def test_a_member_without_a_staff_role_is_refused_the_workspace_but_not_sent_to_mfa(client, union):
    member = MembershipFactory(organization=union, role=Membership.Role.MEMBER).user
    client.force_login(member)
    assert client.get("/workspace/").status_code == 403


def test_people_without_staff_roles_use_the_site_without_a_second_factor(client, beneficiary):
    client.force_login(beneficiary)
    assert client.get("/my/").status_code == 200


def test_an_inactive_staff_membership_no_longer_counts(client, agency):
    user = MembershipFactory(organization=agency, role=Membership.Role.CASE_OFFICER, active=False).user
    client.force_login(user)
    assert client.get("/workspace/").status_code == 403


def test_demo_staff_are_exempt_only_while_development_allows_it(client, agency, settings):
    demo_officer = MembershipFactory(
        organization=agency, role=Membership.Role.CASE_OFFICER, user__email=f"officer@{DEMO_EMAIL_DOMAIN}"
    ).user
    client.force_login(demo_officer)
    queue = f"/workspace/queue/{agency.slug}/"
    settings.SUARA_MFA_EXEMPT_DEMO = True
    assert client.get(queue).status_code == 200
    settings.SUARA_MFA_EXEMPT_DEMO = False
    assert client.get(queue).status_code == 302


def test_the_exemption_never_covers_a_real_address(client, officer, settings):
    settings.SUARA_MFA_EXEMPT_DEMO = True
    client.force_login(officer)
    assert client.get("/workspace/").status_code == 302


def test_anonymous_visitors_are_asked_to_sign_in(client):
    response = client.get("/workspace/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_the_set_up_page_works_in_the_site_layout(client, officer):
    client.force_login(officer)
    response = client.get("/workspace/", follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    # allauth first asks for the password again (the session is not fresh),
    # then shows the authenticator set-up; both in the site's own layout.
    assert response.redirect_chain[0][0].startswith(reverse("mfa_activate_totp"))
    assert '<main id="main"' in html and 'name="password"' in html
    assert "Set up a second factor to continue" in html
