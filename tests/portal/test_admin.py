"""People and bodies are editable in the Wagtail admin, by administrators only."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from portal import rules
from portal.models import Organization, User
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(admin, generate_totp_secret())
    client.force_login(admin)
    return client


def test_an_administrator_adds_an_organization(admin_client):
    response = admin_client.post(
        reverse("organization:add"),
        {"name": "Home-based Workers Network", "short_name": "HWN", "slug": "hwn", "kind": "workers", "country": "PH"},
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert Organization.objects.get(slug="hwn").kind == Organization.Kind.WORKERS


def test_organization_names_are_shown_escaped_in_the_admin(admin_client):
    OrganizationFactory()
    html = admin_client.get(reverse("organization:index")).content.decode()
    assert '<script>alert("x")</script>' not in html


def test_an_administrator_edits_a_users_display_name_and_language(admin_client):
    user = UserFactory(display_name="Old")
    html = admin_client.get(reverse("wagtailusers_users:edit", args=[user.pk])).content.decode()
    assert 'name="display_name"' in html and 'name="preferred_language"' in html
    response = admin_client.post(
        reverse("wagtailusers_users:edit", args=[user.pk]),
        {"email": user.email, "display_name": "Siti", "preferred_language": "en", "is_active": "on"},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).display_name == "Siti"


def test_a_person_without_admin_access_is_refused(client, beneficiary):
    client.force_login(beneficiary)
    response = client.get(reverse("organization:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_portals_staff_give_the_oversight_role_in_the_admin(admin_client):
    ministry = OrganizationFactory(kind=Organization.Kind.GOVERNMENT, slug="mosd-admin")
    person = UserFactory()
    assert 'value="oversight"' in admin_client.get(reverse("membership:add")).content.decode()
    response = admin_client.post(
        reverse("membership:add"),
        {"user": person.pk, "organization": ministry.pk, "role": "oversight", "active": "on"},
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert rules.can_oversee(person)
