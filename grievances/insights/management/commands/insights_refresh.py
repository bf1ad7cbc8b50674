"""Recompute themes, memberships and emerging flags from the stored vectors: once, or every N seconds.

``run_portal`` and the production scheduler run it with ``--every 3600``
(registered in ``grievances/insights/wagtail_hooks.py``); between two runs,
new cases are placed in the existing themes by the task worker.
"""

from grievances.insights.services import insights_refresh
from portal.management.repeating import RepeatingCommand


class Command(RepeatingCommand):
    help = "Vectorise new cases, recompute the themes and flag emerging ones (idempotent)."

    def run_once(self, *, verbose: bool, once: bool) -> str | None:
        refresh = insights_refresh()
        if verbose or once:
            return (
                f"insights_refresh: cases={refresh.cases} themes={refresh.themes.count()} seconds={refresh.seconds:.2f}"
            )
        return None
