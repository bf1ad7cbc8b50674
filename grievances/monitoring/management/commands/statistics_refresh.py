"""Compute the public statistics snapshot: once, or every N seconds.

`run_portal` starts it with ``--every 600`` beside the web server (see
``grievances/monitoring/wagtail_hooks.py``); production runs it from cron or a systemd
timer. ``/statistics/`` only ever reads what this stores.
"""

import time

from grievances.monitoring.public import refresh
from portal.management.repeating import RepeatingCommand


class Command(RepeatingCommand):
    help = "Compute and store the anonymised public statistics (idempotent)."

    def run_once(self, *, verbose: bool, once: bool) -> str | None:
        started = time.monotonic()
        snapshot = refresh()
        if verbose or once:
            return (
                f"statistics_refresh: computed_at={snapshot.computed_at:%Y-%m-%dT%H:%M:%S} "
                f"seconds={time.monotonic() - started:.2f}"
            )
        return None
