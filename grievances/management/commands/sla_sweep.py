"""Escalate cases whose deadlines are near or missed: once, or every N seconds.

`run_portal` starts it with ``--every 60`` beside the web server (see
``grievances/wagtail_hooks.py``); production runs it once a minute from cron
or a systemd timer (docs/workspace.md). Idempotent: re-running changes nothing.
"""

from grievances.services import deadlines_sweep
from portal.lib.observability import metrics
from portal.management.repeating import RepeatingCommand


class Command(RepeatingCommand):
    help = "Mark cases at risk or breached and escalate them (idempotent)."

    def run_once(self, *, verbose: bool, once: bool) -> str | None:
        result = deadlines_sweep()
        # Newly breached only: the sweep counts each case once (idempotent).
        metrics.SLA_BREACHES.inc(result["breached"])
        if verbose or any(result.values()):
            return f"sla_sweep: at_risk={result['at_risk']} breached={result['breached']} head={result['head']}"
        return None
