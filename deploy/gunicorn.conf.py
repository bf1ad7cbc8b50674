"""gunicorn as Suara's units, Compose file and ``make prod-check`` run it.

Everything here can be overridden on the command line (``--bind``, ``-w``).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# Sync workers: page views are short; slow clients are buffered by nginx.
worker_class = "sync"
timeout = 30
graceful_timeout = 20
# Recycle a worker now and then: a slow leak cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500
# nginx sets the client's address; gunicorn believes it only from these.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None  # the app writes one JSON line per request (suara.access)
errorlog = "-"


def child_exit(server, worker):
    # prometheus-client's multiprocess mode: a worker that ends stops counting in live gauges.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
