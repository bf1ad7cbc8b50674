"""A killed worker's task goes back to the queue in seconds; a slow task on a live worker does not."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from portal.models import WorkerHeartbeat
from portal.tasks import ping
from portal.workers import (
    Heartbeat,
    abandoned_tasks,
    heartbeat_beat,
    heartbeat_start,
    heartbeats_forget,
    tasks_reap,
    tasks_requeue,
)


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.SUARA_TASK_STALE_SECONDS = 15 * 60
    settings.SUARA_TASK_HEARTBEAT_SECONDS = 20


def running(worker_id: str, *, started: timedelta) -> str:
    """A task claimed by ``worker_id`` that long ago; returns its id."""
    result = ping.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", started_at=timezone.now() - started, worker_ids=[worker_id]
    )
    return str(result.id)


def worker(worker_id: str, *, silent_for: timedelta = timedelta(0), started: timedelta = timedelta(hours=1)):
    beat = heartbeat_start(worker_id=worker_id, started_at=timezone.now() - started)
    WorkerHeartbeat.objects.filter(pk=beat.pk).update(seen_at=timezone.now() - silent_for)
    return beat


def status(task_id: str) -> str:
    return DBTaskResult.objects.get(pk=task_id).status


@pytest.mark.django_db
def test_a_task_whose_worker_fell_silent_is_requeued_long_before_the_age_limit():
    worker("killed", silent_for=timedelta(seconds=30))
    task = running("killed", started=timedelta(seconds=10))

    assert tasks_reap() == 1
    assert status(task) == "READY"


@pytest.mark.django_db
def test_a_slow_task_on_a_live_worker_is_left_running():
    worker("busy", silent_for=timedelta(seconds=3))
    task = running("busy", started=timedelta(minutes=10))  # long, but under the 15-minute limit

    assert tasks_reap() == 0
    assert status(task) == "RUNNING"


@pytest.mark.django_db
def test_a_worker_silent_for_less_than_the_allowance_is_not_taken_for_dead():
    worker("paused", silent_for=timedelta(seconds=12))
    task = running("paused", started=timedelta(seconds=30))

    assert tasks_reap() == 0
    assert status(task) == "RUNNING"


@pytest.mark.django_db
def test_a_task_claimed_by_a_predecessor_under_the_same_id_is_requeued():
    # systemd restarted the killed worker at once: the id is alive, the claim is not.
    task = running("host-worker-1", started=timedelta(seconds=20))
    worker("host-worker-1", started=timedelta(seconds=5))

    assert [a.why for a in abandoned_tasks()] == ["replaced"]
    assert tasks_reap() == 1
    assert status(task) == "READY"


@pytest.mark.django_db
def test_the_age_limit_still_applies_to_a_live_worker_and_to_a_worker_without_heartbeat():
    worker("stuck")
    stuck = running("stuck", started=timedelta(minutes=20))
    unknown = running("no-heartbeat", started=timedelta(minutes=20))
    young = running("no-heartbeat", started=timedelta(minutes=1))

    assert tasks_reap() == 2
    assert (status(stuck), status(unknown), status(young)) == ("READY", "READY", "RUNNING")


@pytest.mark.django_db
def test_a_reaper_that_looked_before_another_requeued_and_a_worker_reclaimed_changes_nothing():
    worker("killed", silent_for=timedelta(minutes=1))
    task = running("killed", started=timedelta(seconds=30))
    first_look, second_look = abandoned_tasks(), abandoned_tasks()

    assert tasks_requeue(second_look) == 1
    row = DBTaskResult.objects.get(pk=task)
    worker("healthy")
    row.claim("healthy")

    assert tasks_requeue(first_look) == 0  # the same task, but no longer the same claim
    row.refresh_from_db()
    assert row.status == "RUNNING" and row.worker_ids == ["killed", "healthy"]


@pytest.mark.django_db(transaction=True)
def test_two_reapers_at_once_requeue_each_task_once():
    if connection.vendor != "postgresql":
        pytest.skip("row locks between two connections need PostgreSQL")
    worker("killed", silent_for=timedelta(minutes=1))
    tasks = [running("killed", started=timedelta(seconds=30)) for _ in range(20)]
    start = threading.Barrier(2)
    counts = []

    def reap():
        try:
            start.wait()
            counts.append(tasks_reap())
        finally:
            connection.close()

    threads = [threading.Thread(target=reap) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sum(counts) == len(tasks)
    assert all(status(task) == "READY" for task in tasks)


@pytest.mark.django_db
def test_one_look_costs_a_fixed_number_of_queries(django_assert_max_num_queries):
    worker("killed", silent_for=timedelta(minutes=1))
    worker("busy")
    for _ in range(5):
        running("killed", started=timedelta(seconds=30))
        running("busy", started=timedelta(seconds=30))

    # The running tasks, the heartbeats, one update (and the savepoint around them).
    with django_assert_max_num_queries(5):
        assert tasks_reap() == 5


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_keeps_a_heartbeat_and_says_when_it_stops():
    task = ping.enqueue()

    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--worker-id", "beating", verbosity=0)

    assert status(str(task.id)) == "SUCCESSFUL"
    beat = WorkerHeartbeat.objects.get(worker_id="beating")
    assert beat.worker_id == DBTaskResult.objects.get(pk=task.id).worker_ids[-1]
    # Stopped: taken for silent at once, so anything it still held would be requeued.
    assert beat.seen_at < timezone.now() - timedelta(hours=1)


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_refreshes_the_row():
    beat = worker("alive", silent_for=timedelta(minutes=5))
    heartbeat = Heartbeat(beat, every=0.05)
    heartbeat.start()
    deadline = timezone.now() + timedelta(seconds=10)
    while timezone.now() < deadline:
        if WorkerHeartbeat.objects.get(pk=beat.pk).seen_at > timezone.now() - timedelta(seconds=5):
            break
    heartbeat.stop()

    assert WorkerHeartbeat.objects.get(pk=beat.pk).seen_at > timezone.now() - timedelta(seconds=5)
    assert not heartbeat.is_alive()


@pytest.mark.django_db
def test_a_worker_id_taken_over_by_another_process_is_claimed_back():
    beat = heartbeat_start(worker_id="twice")
    WorkerHeartbeat.objects.filter(pk=beat.pk).update(pid=beat.pid + 1)

    assert heartbeat_beat(beat=beat) is False
    assert WorkerHeartbeat.objects.get(worker_id="twice").pid == beat.pid
    assert heartbeat_beat(beat=beat) is True


@pytest.mark.django_db
def test_heartbeats_not_heard_from_for_a_day_are_forgotten():
    worker("gone", silent_for=timedelta(days=2))
    worker("here")

    assert heartbeats_forget() == 1
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["here"]
