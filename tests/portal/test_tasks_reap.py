"""Tasks left running by a worker that died go back to the queue and run."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from portal import registry
from portal.tasks import ping

pytestmark = pytest.mark.django_db


def worker() -> Worker:
    return Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )


def test_a_task_left_running_by_a_dead_worker_is_requeued_and_runs(settings, capsys):
    settings.SUARA_TASK_STALE_SECONDS = 600
    abandoned = ping.enqueue()
    busy = ping.enqueue()
    DBTaskResult.objects.filter(pk=abandoned.id).update(
        status="RUNNING", started_at=timezone.now() - timedelta(minutes=30), worker_ids=["died"]
    )
    DBTaskResult.objects.filter(pk=busy.id).update(status="RUNNING", started_at=timezone.now(), worker_ids=["alive"])

    call_command("tasks_reap")
    assert "tasks_reap: requeued=1" in capsys.readouterr().out

    assert [str(pk) for pk in DBTaskResult.objects.ready().values_list("pk", flat=True)] == [str(abandoned.id)]
    assert DBTaskResult.objects.get(pk=busy.id).status == "RUNNING"  # a live worker's task is left alone
    row = DBTaskResult.objects.ready().get()
    row.claim("test-worker")
    worker().run_task(row)
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL" and row.return_value == "pong"
    assert row.worker_ids == ["died", "test-worker"]


def test_make_run_keeps_the_reaper_running():
    assert ["tasks_reap", "--every", "5"] in registry.background_commands()
