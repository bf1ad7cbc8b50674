"""Queue the consultation notices that are due (opened, closing in a week, outcome).

Run it every few minutes: once from cron or a systemd timer in production,
or with ``--every SECONDS`` as a long-running process (``make run`` does).
"""

from consultations.services import consultation_notices_schedule
from portal.management.repeating import RepeatingCommand


class Command(RepeatingCommand):
    help = "Queue due consultation notices through the task backend; each goes out once."

    def run_once(self, *, verbose: bool, once: bool) -> str | None:
        notices = consultation_notices_schedule()
        if notices or verbose or once:
            return f"{len(notices)} consultation notice(s) queued."
        return None
