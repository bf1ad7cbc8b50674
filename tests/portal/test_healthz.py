"""/healthz names what is down; pages keep serving when Redis stops."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_healthz_is_up_on_the_embedded_defaults(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "up"
    assert set(body["checks"]) == {"database", "cache", "channel_layer", "tasks", "pdf_fonts"}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.services
def test_healthz_reports_a_stopped_redis_as_down_while_pages_still_serve(client, on_redis, home_page):
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 200

    on_redis.stop()

    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["cache", "channel_layer"]
    assert body["checks"]["database"]["status"] == "up"
    assert "Connection" in body["checks"]["cache"]["error"] or "Error" in body["checks"]["cache"]["error"]
    # The site itself keeps working without its cache.
    page = client.get("/")
    assert page.status_code == 200 and home_page.title in page.content.decode()


def test_healthz_reports_a_task_queue_nobody_drains(client):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from portal.tasks import ping

    result = ping.enqueue()
    DBTaskResult.objects.filter(id=result.id).update(enqueued_at=timezone.now() - timedelta(minutes=10))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["tasks"]
    assert "worker" in response.json()["checks"]["tasks"]["error"]


def test_healthz_names_a_missing_pdf_font_and_remembers_the_answer(client, monkeypatch):
    from portal.lib import fonts, health

    calls = []

    def missing():
        calls.append(1)
        return ["Noto Sans Khmer (Khmer)"]

    monkeypatch.setattr(fonts, "missing_fonts", missing)
    monkeypatch.setattr(health, "_fonts_checked", None)
    first = client.get("/healthz")
    second = client.get("/healthz")
    assert first.status_code == 503
    assert "Noto Sans Khmer" in first.json()["checks"]["pdf_fonts"]["error"]
    assert second.json()["checks"]["pdf_fonts"]["error"] == first.json()["checks"]["pdf_fonts"]["error"]
    assert len(calls) == 1  # fontconfig's catalogue is read once, not per poll
