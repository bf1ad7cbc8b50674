"""Queue the consultation notices that are due (opened, closing in a week, outcome). Run it every few minutes."""

from django.core.management.base import BaseCommand

from consultations.services import consultation_notices_schedule


class Command(BaseCommand):
    help = "Queue due consultation notices through the task backend; each goes out once."

    def handle(self, *args, **options):
        notices = consultation_notices_schedule()
        self.stdout.write(f"{len(notices)} notice(s) queued.")
