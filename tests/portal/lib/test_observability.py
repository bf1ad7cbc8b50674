"""Request ids in JSON logs, from the request to the task and the live update; metrics counted."""

import json
import logging

import pytest
from django.core.cache import cache
from prometheus_client import REGISTRY

from portal.lib import realtime, sms
from portal.lib.env import ConfigError
from portal.lib.observability import context, logs, metrics
from portal.lib.observability import tasks as observed_tasks
from portal.lib.observability.errors import configure_error_reporter
from portal.management.commands import metrics_exporter
from portal.tasks import ping


def sample(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_json_lines_carry_the_bound_request_id_and_extra_fields():
    record = logging.LogRecord("suara.x", logging.INFO, __file__, 1, "case %s changed", ("SU-1",), None)
    record.status = 200
    logs.RequestIdFilter().filter(record)  # no id bound: empty
    with context.bound("abc12345"):
        line = json.loads(logs.JsonFormatter().format(record))
        assert line["message"] == "case SU-1 changed"
        assert line["request_id"] == "abc12345"
        assert line["status"] == 200 and line["level"] == "INFO"


@pytest.mark.parametrize(
    ("given", "kept"),
    [("0123456789abcdef", True), ("short", False), ('x" , "admin": true', False), ("", False)],
)
def test_only_sane_proxy_ids_are_kept(given, kept):
    assert (context.accept_id(given) == given) is kept


@pytest.mark.django_db
def test_each_response_names_its_request_and_is_counted_by_view(client):
    before = sample("suara_http_requests_total", view="healthz", method="GET", status="200")
    response = client.get("/healthz", HTTP_X_REQUEST_ID="proxy-id-0001")
    if response.status_code == 301:
        response = client.get("/healthz/", HTTP_X_REQUEST_ID="proxy-id-0001")
    assert response["X-Request-ID"] == "proxy-id-0001"
    view = response.wsgi_request.resolver_match.view_name
    assert sample("suara_http_requests_total", view=view, method="GET", status=str(response.status_code)) >= before + 1
    forged = client.get("/healthz/", HTTP_X_REQUEST_ID="<script>")
    assert forged["X-Request-ID"] != "<script>" and len(forged["X-Request-ID"]) == 24


@pytest.mark.django_db
def test_a_task_runs_under_the_id_of_the_request_that_enqueued_it(caplog):
    with context.bound("request-for-task-1"):
        result = ping.enqueue()
    assert cache.get(observed_tasks.KEY.format(result.id)) == "request-for-task-1"
    # What the worker does around the task (django.tasks signals).
    with caplog.at_level(logging.INFO, logger="suara.tasks"):
        observed_tasks.bind_request(None, task_result=result)
    assert context.current() == "request-for-task-1"
    # The worker's log line about the task carries the request's id.
    started = [r for r in caplog.records if r.name == "suara.tasks"]
    assert started and started[0].task_id == str(result.id)
    assert json.loads(logs.JsonFormatter().format(started[0]))["request_id"] == "request-for-task-1"
    observed_tasks.release_request(None, task_result=result)
    assert context.current() == ""
    assert cache.get(observed_tasks.KEY.format(result.id)) is None


def test_live_updates_carry_the_request_id_and_failures_are_counted(monkeypatch):
    sent = []
    monkeypatch.setattr(realtime, "send_many_now", lambda deliveries: sent.extend(deliveries) or True)
    with context.bound("request-for-socket"):
        assert realtime.send_built(lambda: [("case.1", "status", {})])
    assert sent[0][1]["request_id"] == "request-for-socket"

    class Broken:
        async def group_send(self, group, message):
            raise ConnectionError("layer down")

    monkeypatch.undo()
    monkeypatch.setattr(realtime, "get_channel_layer", lambda: Broken())
    before = sample("suara_channel_layer_failures_total")
    assert realtime.send_now("case.1", {"type": "portal.event"}) is False
    assert sample("suara_channel_layer_failures_total") == before + 1


@pytest.mark.django_db
def test_the_exporter_reads_queue_depth_and_age_from_the_task_table(monkeypatch):
    # The exporter lets go of a stale connection between scrapes; the test's is in a transaction.
    monkeypatch.setattr(metrics_exporter, "close_old_connections", lambda: None)
    ping.enqueue()
    ping.enqueue()
    seen = {}
    body = b"".join(
        metrics_exporter.application({"PATH_INFO": "/metrics"}, lambda status, headers: seen.update(s=status))
    )
    assert seen["s"] == "200 OK"
    assert b"suara_task_queue_depth 2.0" in body
    assert b"suara_task_queue_oldest_age_seconds" in body
    assert b"suara_http_requests_total" in body or b"suara_channel_layer_failures_total" in body
    not_found = metrics_exporter.application({"PATH_INFO": "/"}, lambda status, headers: seen.update(s=status))
    assert seen["s"].startswith("404") and not_found


def test_dead_processes_stop_counting_in_live_gauges(tmp_path, monkeypatch):
    calls = []
    (tmp_path / "gauge_livesum_999999999.db").write_bytes(b"")
    (tmp_path / "counter_999999999.db").write_bytes(b"")
    monkeypatch.setattr(metrics.multiprocess, "mark_process_dead", lambda pid, path: calls.append(pid))
    metrics.forget_dead_processes(tmp_path)
    assert calls == [999999999]


def test_the_error_reporter_is_off_without_a_dsn_and_loud_without_its_package():
    assert configure_error_reporter(None, environment="production") is False
    with pytest.raises(ConfigError, match="sentry-sdk"):
        configure_error_reporter("https://key@errors.invalid/1", environment="production")


class FailingSms(sms.LocmemBackend):
    def send_messages(self, messages):
        raise OSError("gateway down")


def test_sms_failures_are_counted(settings):
    settings.SMS_BACKEND = "portal.lib.sms.LocmemBackend"
    before = sample("suara_sms_failures_total")
    settings.SMS_BACKEND = f"{__name__}.FailingSms"
    with pytest.raises(OSError):
        sms.send_sms("+66800000000", "hello")
    assert sample("suara_sms_failures_total") == before + 1
