"""Retention policies are edited in the Wagtail admin."""

from grievances.privacy.models import RetentionPolicy


def test_an_administrator_lists_and_adds_retention_policies(client, django_user_model, monkeypatch):
    monkeypatch.setattr("portal.middleware.needs_second_factor", lambda user: False)
    admin = django_user_model.objects.create_superuser("root@example.org", "a-long-password-1")
    client.force_login(admin)
    assert client.get("/admin/retention_policies/").status_code == 200
    response = client.post("/admin/retention_policies/new/", {"kind": "access_logs", "keep_days": "400", "note": ""})
    assert response.status_code == 302
    assert RetentionPolicy.objects.get(kind="access_logs").keep_days == 400


def test_a_person_without_admin_access_cannot_open_the_policies(client, beneficiary):
    client.force_login(beneficiary)
    assert client.get("/admin/retention_policies/").status_code in (302, 403)
    assert not RetentionPolicy.objects.exists()
