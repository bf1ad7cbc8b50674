"""/healthz: this process serves; /readyz: its dependencies answer. Pages keep serving when Redis stops."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_healthz_is_up_on_the_embedded_defaults(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "up"
    assert set(body["checks"]) == {"database", "cache", "channel_layer", "tasks"}
    assert response["Cache-Control"].startswith("max-age=0")
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "up"


@pytest.mark.services
def test_readyz_reports_a_stopped_redis_as_down_while_healthz_and_pages_still_serve(client, on_redis, home_page):
    assert client.get("/readyz").status_code == 200
    assert client.get("/en/").status_code == 200

    on_redis.stop()

    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["cache", "channel_layer"]
    assert body["checks"]["database"]["status"] == "up"
    assert "Connection" in body["checks"]["cache"]["error"] or "Error" in body["checks"]["cache"]["error"]
    # The process itself still serves: alive, and saying what is degraded.
    alive = client.get("/healthz")
    assert alive.status_code == 200
    assert alive.json()["status"] == "degraded" and alive.json()["down"] == ["cache", "channel_layer"]
    # The site itself keeps working without its cache.
    page = client.get("/en/")
    assert page.status_code == 200 and home_page.title in page.content.decode()


def test_healthz_reports_a_task_queue_nobody_drains(client):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from portal.tasks import ping

    result = ping.enqueue()
    DBTaskResult.objects.filter(id=result.id).update(enqueued_at=timezone.now() - timedelta(minutes=10))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["down"] == ["tasks"]
    assert "worker" in response.json()["checks"]["tasks"]["error"]


def test_a_missing_pdf_font_is_a_warning_not_a_503_and_the_answer_is_remembered(client, monkeypatch):
    from portal.lib import fonts, health

    calls = []

    def missing():
        calls.append(1)
        return ["Noto Color Emoji (emoji)"]

    monkeypatch.setattr(fonts, "missing_fonts", missing)
    monkeypatch.setattr(health, "_fonts_checked", None)
    first = client.get("/healthz")
    ready = client.get("/readyz")
    assert first.status_code == 200 and ready.status_code == 200
    assert first.json()["status"] == "up"
    assert "Noto Color Emoji" in first.json()["warnings"][0]
    assert ready.json()["warnings"] == first.json()["warnings"]
    assert len(calls) == 1  # fontconfig's catalogue is read once, not per poll


def test_healthz_names_a_missing_script_font_and_its_package_without_a_503(client, monkeypatch):
    from portal.lib import fonts, health

    installed = fonts.installed_font_families() | set(fonts.REQUIRED_FONTS)
    monkeypatch.setattr(fonts, "installed_font_families", lambda: installed - {"Noto Naskh Arabic"})
    monkeypatch.setattr(health, "_fonts_checked", None)
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "up"
    (warning,) = response.json()["warnings"]
    assert "Noto Naskh Arabic (Arabic script: ur)" in warning and "fonts-noto-core" in warning
