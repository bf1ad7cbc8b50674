"""The workspace's API pages: supervisors issue and revoke tokens, register webhooks, read the delivery log."""

import pytest
from django.core.exceptions import PermissionDenied

from grievances.api.models import ApiToken, Webhook, WebhookDelivery, token_hash
from grievances.api.services import api_token_create, webhook_create, webhook_deactivate
from portal.models import Membership
from tests.api.conftest import lodge
from tests.factories import HOSTILE


@pytest.fixture(autouse=True)
def _no_second_factor(request, monkeypatch):
    # The second factor has its own tests; one test below checks these pages ask for it.
    if "needs_second_factor" not in request.node.name:
        monkeypatch.setattr("portal.middleware.needs_second_factor", lambda user: False)


def test_the_api_pages_needs_second_factor_like_the_rest_of_the_workspace(client, supervisor, agency):
    client.force_login(supervisor)
    response = client.get(f"/workspace/api/{agency.slug}/")
    assert response.status_code == 302
    assert "/accounts/2fa/" in response["Location"]


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def test_a_supervisor_creates_a_token_and_sees_the_secret_once(signed_in, supervisor, agency):
    client = signed_in(supervisor)
    url = f"/workspace/api/{agency.slug}/"
    assert client.get(url).status_code == 200
    response = client.post(f"{url}tokens/", {"name": f"SMS {HOSTILE}", "scope": "read_write"})
    assert response.status_code == 200
    token = ApiToken.objects.get()
    html = response.content.decode()
    secret = next(word for word in html.replace('"', " ").split() if word.startswith(f"suara_{token.prefix}_"))
    assert token.secret_hash == token_hash(secret)
    assert "<script>alert" not in html  # the hostile name is escaped
    again = client.get(url).content.decode()
    assert secret not in again
    assert f"suara_{token.prefix}_…" in again
    assert "no-store" in response["Cache-Control"]


def test_a_supervisor_revokes_a_token(signed_in, supervisor, agency):
    issued = api_token_create(organization=agency, user=supervisor, name="Gateway", scope="read")
    client = signed_in(supervisor)
    response = client.post(f"/workspace/api/{agency.slug}/tokens/{issued.token.pk}/revoke/")
    assert response.status_code == 302
    token = ApiToken.objects.get()
    assert token.revoked_at is not None and token.revoked_by == supervisor
    assert not Membership.objects.get(user=token.agent).active


@pytest.mark.parametrize("persona", ["officer", "other_supervisor", "beneficiary"])
def test_others_cannot_see_the_api_pages(signed_in, persona, request, agency, supervisor):
    issued = api_token_create(organization=agency, user=supervisor, name="Gateway", scope="read")
    client = signed_in(request.getfixturevalue(persona))
    base = f"/workspace/api/{agency.slug}/"
    assert client.get(base).status_code == 404
    assert client.post(f"{base}tokens/", {"name": "x", "scope": "read_write"}).status_code == 404
    assert client.post(f"{base}tokens/{issued.token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.count() == 1 and ApiToken.objects.get().revoked_at is None


def test_only_a_focal_point_gives_a_token_sight_of_sensitive_cases(signed_in, supervisor, focal_supervisor, agency):
    response = signed_in(supervisor).post(
        f"/workspace/api/{agency.slug}/tokens/", {"name": "x", "scope": "read", "sensitive": "on"}
    )
    assert response.status_code == 400
    assert not ApiToken.objects.exists()
    response = signed_in(focal_supervisor).post(
        f"/workspace/api/{agency.slug}/tokens/", {"name": "x", "scope": "read", "sensitive": "on"}
    )
    assert response.status_code == 200
    assert ApiToken.objects.get().sensitive
    assert Membership.objects.get(user=ApiToken.objects.get().agent).focal_point


def test_a_supervisor_registers_a_webhook_and_reads_its_delivery_log(signed_in, supervisor, agency, category):
    client = signed_in(supervisor)
    response = client.post(
        f"/workspace/api/{agency.slug}/webhooks/", {"url": "https://hooks.example.org/suara", "description": "CRM"}
    )
    assert response.status_code == 200
    assert "whsec_" in response.content.decode()
    webhook = Webhook.objects.get()
    assert "whsec_" not in webhook.secret_sealed
    event = lodge(category).grievance.events.last()
    WebhookDelivery.objects.create(
        webhook=webhook, event=event, attempts=2, last_status_code=503, last_error="HTTP 503"
    )
    log = client.get(f"/workspace/api/{agency.slug}/webhooks/{webhook.pk}/")
    assert log.status_code == 200
    assert "HTTP 503" in log.content.decode()
    assert event.grievance.reference in log.content.decode()
    client.post(f"/workspace/api/{agency.slug}/webhooks/{webhook.pk}/off/")
    assert not Webhook.objects.get().active


def test_a_webhook_of_another_agency_is_not_found(signed_in, supervisor, other_supervisor, agency, other_agency):
    hook = webhook_create(organization=other_agency, user=other_supervisor, url="https://hooks.example.org/x").webhook
    client = signed_in(supervisor)
    assert client.get(f"/workspace/api/{agency.slug}/webhooks/{hook.pk}/").status_code == 404
    assert client.get(f"/workspace/api/{other_agency.slug}/webhooks/{hook.pk}/").status_code == 404


def test_the_workspace_links_supervisors_to_the_api_pages(signed_in, supervisor, officer, agency):
    # Each has one agency, so /workspace/ leads to its queue, whose breadcrumb carries the link.
    assert f"/workspace/api/{agency.slug}/" in signed_in(supervisor).get("/workspace/", follow=True).content.decode()
    assert "/workspace/api/" not in signed_in(officer).get("/workspace/", follow=True).content.decode()


def test_the_api_pages_list_tokens_in_a_fixed_number_of_queries(
    signed_in, supervisor, agency, django_assert_max_num_queries
):
    for n in range(5):
        api_token_create(organization=agency, user=supervisor, name=f"t{n}", scope="read")
        webhook_create(organization=agency, user=supervisor, url=f"https://hooks.example.org/{n}")
    client = signed_in(supervisor)
    with django_assert_max_num_queries(15):
        assert client.get(f"/workspace/api/{agency.slug}/").status_code == 200


def test_a_token_acts_as_a_service_account_that_cannot_sign_in(supervisor, agency, client):
    issued = api_token_create(organization=agency, user=supervisor, name="Gateway", scope="read")
    agent = issued.token.agent
    assert not agent.has_usable_password()
    assert agent.email.endswith(".invalid")
    membership = Membership.objects.get(user=agent)
    assert membership.role == Membership.Role.CASE_OFFICER and membership.organization == agency


def test_a_tokens_service_account_is_nobody_to_assign_work_to(agency, supervisor, write_token):
    from grievances.workspace.forms import case_staff

    agent = ApiToken.objects.get(organization=agency).agent  # write_token made it
    assert agent.memberships.filter(organization=agency, active=True).exists()
    staff = list(case_staff(agency.pk))
    assert supervisor in staff
    assert agent not in staff


def test_only_focal_points_see_and_switch_off_a_sensitive_webhook(
    signed_in, supervisor, focal_supervisor, agency, sensitive_category
):
    hook = webhook_create(
        organization=agency, user=focal_supervisor, url="https://hooks.example.org/care", sensitive=True
    ).webhook
    event = lodge(sensitive_category).grievance.events.last()
    WebhookDelivery.objects.create(webhook=hook, event=event, attempts=1, last_status_code=200)
    log_url = f"/workspace/api/{agency.slug}/webhooks/{hook.pk}/"

    client = signed_in(supervisor)
    assert client.get(log_url).status_code == 404
    listing = client.get(f"/workspace/api/{agency.slug}/").content.decode()
    assert log_url not in listing and f"{log_url}off/" not in listing
    assert client.post(f"{log_url}off/").status_code == 404
    assert Webhook.objects.get(pk=hook.pk).active
    with pytest.raises(PermissionDenied):
        webhook_deactivate(webhook=hook, user=supervisor)

    client = signed_in(focal_supervisor)
    log = client.get(log_url)
    assert log.status_code == 200 and event.grievance.reference in log.content.decode()
    assert log_url in client.get(f"/workspace/api/{agency.slug}/").content.decode()
    client.post(f"{log_url}off/")
    assert not Webhook.objects.get(pk=hook.pk).active
