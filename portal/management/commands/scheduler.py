"""The production scheduler: one process that keeps every scheduled job running.

The jobs are the apps' ``suara_background_commands`` (deadline sweep,
consultation notices, public statistics, the task reaper…), each a
``manage.py`` command repeating on its own schedule; this command starts them
as children and restarts one that dies. Two schedulers started by mistake do
no harm: every job is idempotent, and on PostgreSQL only the holder of an
advisory lock runs them while the other stands by and takes over when the
first one's session ends.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import connection

from portal import registry

# A number of our own, the same on every node (PostgreSQL advisory locks are per database).
LOCK_KEY = 0x5355_4152_4153  # "SUARAS"
STANDBY_SECONDS = 5
RESTART_PAUSE_SECONDS = 2


class Command(BaseCommand):
    help = "Run every scheduled job (sla_sweep, consultation_notices, statistics_refresh…); restart any that dies."

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="Print the jobs and exit.")

    def handle(self, *args, **options):
        manage = str(Path(sys.argv[0]).resolve()) if sys.argv and sys.argv[0].endswith("manage.py") else "manage.py"
        jobs = [[sys.executable, manage, *arguments] for arguments in registry.background_commands()]
        if options["list"]:
            for job in jobs:
                self.stdout.write(" ".join(job[2:]))
            return
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping and not self.take_lock():
            self.stdout.write("scheduler: another scheduler holds the lock; standing by")
            self.stdout.flush()
            deadline = time.monotonic() + STANDBY_SECONDS
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.2)
        if stopping:
            return
        self.stdout.write(f"scheduler: running {len(jobs)} jobs")
        self.stdout.flush()
        running = {index: subprocess.Popen(job) for index, job in enumerate(jobs)}
        try:
            while not stopping:
                time.sleep(0.5)
                for index, process in list(running.items()):
                    if process.poll() is not None and not stopping:
                        self.stderr.write(
                            f"scheduler: {' '.join(jobs[index][2:])} exited ({process.returncode}); restarting"
                        )
                        time.sleep(RESTART_PAUSE_SECONDS)
                        running[index] = subprocess.Popen(jobs[index])
        finally:
            for process in running.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in running.values():
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()

    def take_lock(self) -> bool:
        if connection.vendor != "postgresql":
            return True  # one machine, one scheduler: nothing to share a lock with
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
            return bool(cursor.fetchone()[0])
