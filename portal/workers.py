"""Which task workers are alive, and which running tasks lost theirs.

Each ``manage.py db_worker`` process keeps a row in ``WorkerHeartbeat`` fresh
every few seconds from a thread of its own (:class:`Heartbeat`). The reaper
(``manage.py tasks_reap``) gives a running task back to the queue when

- the worker holding it has not been heard from for
  ``SUARA_TASK_HEARTBEAT_SECONDS`` (killed, its machine gone), or
- a newer process now runs under the holder's worker id (the holder died and
  systemd started its successor), or
- the task has been running longer than ``SUARA_TASK_STALE_SECONDS``, whatever
  the heartbeat says (a worker stuck for good, or one without a heartbeat).

Why a row and not a PostgreSQL advisory lock held by the worker's session: a
session lock vanishes with its connection, and Django closes and reopens
connections in a long-lived worker, a connection pooler in transaction mode
does not keep sessions at all, and a connection to a machine that dropped off
the network keeps its lock until TCP gives up (hours). A timestamp simply goes
stale, on SQLite as on PostgreSQL, and needs nothing but the database the
tasks are already in.

Requeueing is a compare-and-set on the task's ``started_at`` (every claim
stamps a new one), inside ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL:
two reapers at once, or a reaper that looked just before another worker took
the task up again, requeue it at most once. Every task is safe to run twice
(``portal.models.SentMessage``), so a worker wrongly taken for dead costs a
repeated run, never a repeated message.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.db.models.functions import Now
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from portal.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# Beats per allowed silence: three beats may be lost (a slow database, a long
# pause) before a live worker is taken for dead.
BEATS_PER_SILENCE = 4
# A heartbeat row nobody has refreshed for this long belongs to a worker id
# that is not coming back (a container's random id): it is deleted.
FORGET_AFTER = timedelta(days=1)


def silence() -> timedelta:
    return timedelta(seconds=settings.SUARA_TASK_HEARTBEAT_SECONDS)


def beat_interval() -> float:
    return settings.SUARA_TASK_HEARTBEAT_SECONDS / BEATS_PER_SILENCE


# --- Writers: the worker's own heartbeat -------------------------------------------


def heartbeat_start(*, worker_id: str, started_at: datetime | None = None) -> WorkerHeartbeat:
    """Say this process is alive under ``worker_id``, before it claims any task."""
    beat, _ = WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at or timezone.now(),
            "seen_at": Now(),
        },
    )
    return beat


def heartbeat_beat(*, beat: WorkerHeartbeat) -> bool:
    """Refresh this process's heartbeat; False when another process had taken the id over (now ours again)."""
    refreshed = WorkerHeartbeat.objects.filter(
        worker_id=beat.worker_id, host=beat.host, pid=beat.pid, started_at=beat.started_at
    ).update(seen_at=Now())
    if refreshed:
        return True
    # Deleted as forgotten, or a second process was started with the same id
    # (a configuration mistake: their tasks may run twice, which is safe).
    logger.warning("worker id %s was taken over or forgotten; claiming it again", beat.worker_id)
    WorkerHeartbeat.objects.update_or_create(
        worker_id=beat.worker_id,
        defaults={"host": beat.host, "pid": beat.pid, "started_at": beat.started_at, "seen_at": Now()},
    )
    return False


def heartbeat_stop(*, beat: WorkerHeartbeat) -> None:
    """A worker that stops says so: whatever it still held is requeued at the reaper's next look."""
    WorkerHeartbeat.objects.filter(worker_id=beat.worker_id, pid=beat.pid, started_at=beat.started_at).update(
        seen_at=timezone.now() - FORGET_AFTER / 2
    )


class Heartbeat(threading.Thread):
    """A daemon thread refreshing one worker's heartbeat until :meth:`stop`.

    A thread, not the worker loop: the loop is busy for as long as a task
    runs, and a long task on a live worker must not look like a dead worker.
    """

    def __init__(self, beat: WorkerHeartbeat, every: float | None = None):
        super().__init__(name=f"heartbeat-{beat.worker_id}", daemon=True)
        self.beat = beat
        self.every = every or beat_interval()
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.wait(self.every):
                try:
                    close_old_connections()
                    heartbeat_beat(beat=self.beat)
                except Exception:
                    # The database away for a moment: keep beating; the age rule covers a long outage.
                    logger.exception("heartbeat of %s failed", self.beat.worker_id)
                    connection.close()
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=self.every + 5)


# --- The reaper's rule -------------------------------------------------------------


@dataclass(frozen=True)
class Abandoned:
    pk: str
    started_at: datetime
    why: str  # "silent", "replaced" or "old"


def abandoned_tasks(*, lock: bool = False) -> list[Abandoned]:
    """The running tasks whose worker is gone (or that ran too long), as they are now.

    ``lock``: inside a transaction, lock the running rows no one else has
    locked (a reaper at the same time, a worker finishing one) and skip the rest.
    """
    running = DBTaskResult.objects.running()
    if lock:
        running = running.select_for_update(skip_locked=True)
    rows = list(running.values_list("pk", "started_at", "worker_ids"))
    holders = {workers[-1] for _, _, workers in rows if workers}
    silent = ExpressionWrapper(Q(seen_at__lt=Now() - silence()), output_field=BooleanField())
    beats = {
        worker_id: (started_at, is_silent)
        for worker_id, started_at, is_silent in WorkerHeartbeat.objects.filter(worker_id__in=holders)
        .annotate(silent=silent)
        .values_list("worker_id", "started_at", "silent")
    }
    too_old = timezone.now() - timedelta(seconds=settings.SUARA_TASK_STALE_SECONDS)
    found = []
    for pk, started_at, workers in rows:
        beat = beats.get(workers[-1]) if workers else None
        if started_at is None or started_at < too_old:
            found.append(Abandoned(str(pk), started_at, "old"))
        elif beat is not None and beat[1]:
            found.append(Abandoned(str(pk), started_at, "silent"))
        elif beat is not None and beat[0] > started_at:
            found.append(Abandoned(str(pk), started_at, "replaced"))
        # No heartbeat at all (the embedded server's in-process worker): the age rule only.
    return found


def tasks_requeue(abandoned: list[Abandoned]) -> int:
    """Make these tasks ready again, each only if it is still the same claim; returns how many."""
    if not abandoned:
        return 0
    same_claim = reduce(or_, (Q(pk=task.pk, started_at=task.started_at) for task in abandoned))
    return DBTaskResult.objects.running().filter(same_claim).update(status=TaskResultStatus.READY)


def tasks_reap() -> int:
    """One look: requeue every running task whose worker is gone; returns how many."""
    with transaction.atomic():
        abandoned = abandoned_tasks(lock=True)
        requeued = tasks_requeue(abandoned)
    if requeued:
        logger.info("requeued %d task(s): %s", requeued, ", ".join(f"{t.pk} ({t.why})" for t in abandoned))
    return requeued


def heartbeats_forget() -> int:
    """Delete the heartbeats of worker ids not heard from for a day."""
    # Read first: the reaper calls this every few seconds, and on SQLite even a
    # DELETE that matches nothing takes the database's write lock.
    forgotten = list(WorkerHeartbeat.objects.filter(seen_at__lt=Now() - FORGET_AFTER).values_list("pk", flat=True))
    if not forgotten:
        return 0
    return WorkerHeartbeat.objects.filter(pk__in=forgotten).delete()[0]
