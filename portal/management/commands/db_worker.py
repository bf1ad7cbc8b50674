"""``manage.py db_worker`` (django-tasks-db's), with a heartbeat.

The same command, options and behaviour, plus a row in ``WorkerHeartbeat``
written before the first task is claimed and refreshed from a thread every
few seconds while the worker runs (``portal.workers``): when the process is
killed the heartbeat stops and ``tasks_reap`` requeues what it held within
seconds, instead of after ``SUARA_TASK_STALE_SECONDS``.
"""

from __future__ import annotations

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from portal.workers import Heartbeat, heartbeat_start, heartbeat_stop


class Command(db_worker.Command):
    help = "Run a database task worker that keeps a heartbeat (portal.workers)."

    def handle(self, *args, **options):
        reloading = options.get("reload") and not options.get("batch")
        if reloading and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The autoreloader's parent only watches files; its child runs the worker.
            return super().handle(*args, **options)
        beat = heartbeat_start(worker_id=options["worker_id"])
        heartbeat = Heartbeat(beat)
        heartbeat.start()
        try:
            return super().handle(*args, **options)
        finally:
            heartbeat.stop()
            heartbeat_stop(beat=beat)
