"""Text-message segments per agency and month: what the SMS channel costs whom."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from grievances.sms.staff import segments_by_agency_month
from portal.models import Organization


class Command(BaseCommand):
    help = "Segments sent and received per agency and month (tab-separated), for billing and planning."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="first day counted, YYYY-MM-DD (default: everything)")

    def handle(self, *args, since=None, **options):
        try:
            start = date.fromisoformat(since) if since else None
        except ValueError:
            raise CommandError("--since takes a date as YYYY-MM-DD.") from None
        rows = segments_by_agency_month(since=start)
        names = dict(Organization.objects.filter(pk__in={row["agency_id"] for row in rows}).values_list("pk", "name"))
        self.stdout.write("month\tagency\tdirection\tmessages\tsegments")
        for row in rows:
            agency = names.get(row["agency_id"], "-")
            self.stdout.write(
                f"{row['month']:%Y-%m}\t{agency}\t{row['direction']}\t{row['messages']}\t{row['segments']}"
            )
