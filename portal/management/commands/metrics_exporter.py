"""Serve the Prometheus metrics of every Suara process on this node, on an address of its own.

The web and websocket servers write their samples to ``PROMETHEUS_MULTIPROC_DIR``;
this process adds them up, reads the task queue's depth and age, and answers
``GET /metrics``. Bind it to loopback or a private interface: the reverse proxy
does not route it, and its figures are for the operator only.
"""

from __future__ import annotations

from wsgiref.simple_server import WSGIRequestHandler, make_server

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from portal.lib.observability import metrics


def ready_tasks() -> tuple[int, float | None]:
    close_old_connections()
    waiting = DBTaskResult.objects.ready()
    depth = waiting.count()
    oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    return depth, (timezone.now() - oldest).total_seconds() if oldest else None


def application(environ, start_response):
    if environ.get("PATH_INFO") != "/metrics":
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found\n"]
    body = metrics.exposition([metrics.QueueCollector(ready_tasks)])
    start_response("200 OK", [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")])
    return [body]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):  # a scrape every 15 s is not news
        pass


class Command(BaseCommand):
    help = "Serve /metrics for Prometheus on a private address (default 127.0.0.1:9108)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:9108")

    def handle(self, *args, **options):
        host, _, port = options["bind"].rpartition(":")
        if not port.isdigit():
            raise CommandError("--bind takes host:port, e.g. 127.0.0.1:9108.")
        if metrics.multiprocess_dir() is None:
            self.stderr.write("PROMETHEUS_MULTIPROC_DIR is not set: only this process's own samples are served.")
        with make_server(host.strip("[]") or "127.0.0.1", int(port), application, handler_class=QuietHandler) as server:
            self.stdout.write(f"metrics on http://{options['bind']}/metrics")
            self.stdout.flush()
            server.serve_forever()
