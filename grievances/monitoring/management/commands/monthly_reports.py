"""Enqueue each agency's monthly grievance report (PDF by e-mail to its supervisors and head).

Run once a month, e.g. on the 1st from cron or a systemd timer:
``manage.py monthly_reports`` (last month) or ``--month 2026-10``.
"""

import re

from django.core.management.base import BaseCommand, CommandError

from grievances.monitoring.tasks import enqueue_monthly_reports


class Command(BaseCommand):
    help = "Enqueue the monthly grievance report of every agency (default: last month)."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: last month).")

    def handle(self, *args, **options):
        month = options.get("month")
        if month and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise CommandError("--month must be YYYY-MM.")
        count = enqueue_monthly_reports(month)
        self.stdout.write(f"monthly_reports: enqueued={count}")
