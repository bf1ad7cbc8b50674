"""Escalate cases whose deadlines are near or missed: once, or every N seconds.

`run_portal` starts it with ``--every 60`` beside the web server (see
``SUARA_BACKGROUND_COMMANDS``); production runs it once a minute from cron
or a systemd timer (docs/workspace.md). Idempotent: re-running changes nothing.
"""

import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from grievances.sla import sweep


class Command(BaseCommand):
    help = "Mark cases at risk or breached and escalate them (idempotent)."

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
            result = sweep()
            if options["verbosity"] > 1 or any(result.values()):
                self.stdout.write(
                    f"sla_sweep: at_risk={result['at_risk']} breached={result['breached']} head={result['head']}"
                )
            if not every:
                return
            # A long-lived loop: drop a connection the database closed or that outlived CONN_MAX_AGE.
            close_old_connections()
            deadline = time.monotonic() + every
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.5)
            if stopping:
                return
