"""Give tasks whose worker died back to the queue: once, or every N seconds.

The database task backend marks a task RUNNING when a worker claims it and
nothing ever looks at it again; a worker killed mid-task (a deploy, the OOM
killer) would leave it "running" for ever. A running task goes back to the
queue when its worker's heartbeat has stopped (``SUARA_TASK_HEARTBEAT_SECONDS``
of silence) or a successor runs under its worker id, and in any case once it
has run longer than ``SUARA_TASK_STALE_SECONDS`` (``portal.workers``). Every
task is written to be safe to run twice (``portal.models.SentMessage`` and
each task's own checks), so a slow task that was not in fact dead costs at
most a repeated render, never a repeated message.
"""

from portal.management.repeating import RepeatingCommand
from portal.workers import heartbeats_forget, tasks_reap

__all__ = ["Command", "tasks_reap"]


class Command(RepeatingCommand):
    help = "Requeue tasks left running by a worker that died."

    def run_once(self, *, verbose: bool, once: bool) -> str | None:
        reaped = tasks_reap()
        forgotten = heartbeats_forget()
        if verbose or reaped:
            return f"tasks_reap: requeued={reaped}" + (f" forgotten_workers={forgotten}" if forgotten else "")
        return None
