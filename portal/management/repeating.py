"""A management command that does one round of work, once or every N seconds.

The scheduled jobs (deadline sweep, consultation notices, public statistics)
share this loop: ``--every N`` repeats until SIGTERM or Ctrl-C, finishing the
round in hand; without it, one round and exit (cron, a systemd timer).
``run_portal`` on the embedded default runs the rounds in a thread of its
own and never passes ``--every`` here (signals belong to the main thread).
"""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections


class RepeatingCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=0, help="Repeat every N seconds until stopped.")

    def run_once(self, *, verbose: bool, once: bool) -> str | None:
        """One round of work; a line to print, or None for nothing worth saying.

        ``verbose``: asked for with ``-v 2``; ``once``: run without ``--every``.
        """
        raise NotImplementedError

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
            line = self.run_once(verbose=options["verbosity"] > 1, once=not every)
            if line:
                self.stdout.write(line)
            if not every:
                return
            # A long-lived loop: drop a connection the database closed or that outlived CONN_MAX_AGE.
            close_old_connections()
            deadline = time.monotonic() + every
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.5)
            if stopping:
                return
