"""Compute the public statistics snapshot: once, or every N seconds.

`run_portal` starts it with ``--every 600`` beside the web server (see
``SUARA_BACKGROUND_COMMANDS``); production runs it from cron or a systemd
timer. ``/statistics/`` only ever reads what this stores.
"""

import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from grievances.monitoring.public import refresh


class Command(BaseCommand):
    help = "Compute and store the anonymised public statistics (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=0, help="Repeat every N seconds until stopped.")

    def handle(self, *args, **options):
        every = options["every"]
        if every < 0:
            raise CommandError("--every must be positive.")
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        if every:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        while True:
            started = time.monotonic()
            snapshot = refresh()
            if options["verbosity"] > 1 or not every:
                self.stdout.write(
                    f"statistics_refresh: computed_at={snapshot.computed_at:%Y-%m-%dT%H:%M:%S} "
                    f"seconds={time.monotonic() - started:.2f}"
                )
            if not every:
                return
            close_old_connections()
            deadline = time.monotonic() + every
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.5)
            if stopping:
                return
