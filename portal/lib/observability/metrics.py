"""Prometheus metrics, counted in every process and read by one exporter.

gunicorn and uvicorn run several processes; prometheus-client's multiprocess
mode has each write its samples to files in ``PROMETHEUS_MULTIPROC_DIR`` and
``manage.py metrics_exporter`` adds them up on a loopback address the proxy
does not route. Without that variable (a laptop, the tests) the samples stay
in the process's own registry.

The queue's depth and age are not counted by anyone: the exporter reads them
from the task table when it is scraped (:class:`QueueCollector`).
"""

from __future__ import annotations

import os
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter("suara_http_requests_total", "HTTP requests by view and status.", ["view", "method", "status"])
LATENCY = Histogram(
    "suara_http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it.",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
WEBSOCKETS = Gauge(
    "suara_websocket_connections", "Open websocket connections.", ["stream"], multiprocess_mode="livesum"
)
CHANNEL_LAYER_FAILURES = Counter(
    "suara_channel_layer_failures_total", "Live updates the channel layer did not take (clients catch up)."
)
TASKS = Counter("suara_tasks_total", "Background tasks finished, by task and outcome.", ["task", "status"])
SLA_BREACHES = Counter("suara_sla_breaches_total", "Cases newly found past their deadline by the sweep.")
SMS_FAILURES = Counter("suara_sms_failures_total", "Text messages the gateway refused or never took.")


def multiprocess_dir() -> Path | None:
    value = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(value) if value else None


def forget_dead_processes(directory: Path) -> None:
    """Live gauges of a process that was killed (SIGKILL runs no exit hook) stop counting.

    Counters and histograms of dead processes keep counting: their totals
    must not go down when a node is lost.
    """
    for path in directory.glob("gauge_live*_*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            multiprocess.mark_process_dead(int(pid), str(directory))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def exposition(extra_collectors=()) -> bytes:
    """The text format: every process's samples when in multiprocess mode, else this process's."""
    directory = multiprocess_dir()
    if directory is None:
        body = generate_latest(REGISTRY)
        for collector in extra_collectors:
            single = CollectorRegistry()
            single.register(collector)
            body += generate_latest(single)
        return body
    forget_dead_processes(directory)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(directory))
    for collector in extra_collectors:
        registry.register(collector)
    return generate_latest(registry)


class QueueCollector:
    """Depth of the task queue and the age of its oldest waiting task, read when scraped.

    ``ready`` is a callable returning (depth, oldest age in seconds or None),
    so that this module needs no database models.
    """

    def __init__(self, ready):
        self.ready = ready

    def collect(self):
        depth, oldest = self.ready()
        depth_family = GaugeMetricFamily("suara_task_queue_depth", "Tasks waiting for a worker.")
        depth_family.add_metric([], depth)
        age_family = GaugeMetricFamily(
            "suara_task_queue_oldest_age_seconds", "How long the oldest waiting task has waited (0: none)."
        )
        age_family.add_metric([], oldest or 0.0)
        yield depth_family
        yield age_family
