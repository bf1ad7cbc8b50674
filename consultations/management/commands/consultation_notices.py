"""Queue the consultation notices that are due (opened, closing in a week, outcome).

Run it every few minutes: once from cron or a systemd timer in production,
or with ``--every SECONDS`` as a long-running process (``make run`` does).
"""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from consultations.services import consultation_notices_schedule


class Command(BaseCommand):
    help = "Queue due consultation notices through the task backend; each goes out once."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds until stopped.")

    def handle(self, *args, **options):
        while True:
            close_old_connections()  # a long-running loop must not keep a broken connection
            notices = consultation_notices_schedule()
            if notices or not options["every"]:
                self.stdout.write(f"{len(notices)} consultation notice(s) queued.")
            if not options["every"]:
                return
            time.sleep(options["every"])
