"""Give tasks whose worker died back to the queue: once, or every N seconds.

The database task backend marks a task RUNNING when a worker claims it and
nothing ever looks at it again; a worker killed mid-task (a deploy, the OOM
killer) leaves it "running" for ever. A task running longer than
``SUARA_TASK_STALE_SECONDS`` is taken for abandoned and made ready again.
Every task is written to be safe to run twice (``portal.models.SentMessage``
and each task's own checks), so a slow task that was not in fact dead costs
at most a repeated render, never a repeated message.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from portal.management.repeating import RepeatingCommand


def tasks_reap(*, older_than: timedelta | None = None) -> int:
    """Make ready again every task left running longer than ``older_than``; returns how many."""
    if older_than is None:
        older_than = timedelta(seconds=settings.SUARA_TASK_STALE_SECONDS)
    with transaction.atomic():
        return (
            DBTaskResult.objects.running()
            .filter(started_at__lt=timezone.now() - older_than)
            .update(status=TaskResultStatus.READY)
        )


class Command(RepeatingCommand):
    help = "Requeue tasks left running by a worker that died."

    def run_once(self, *, verbose: bool, once: bool) -> str | None:
        reaped = tasks_reap()
        if verbose or reaped:
            return f"tasks_reap: requeued={reaped}"
        return None
