"""The scheduler runs every app's scheduled job; a second one started by mistake stands by."""

from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from portal.management.commands import scheduler
from portal.tasks import CANARY_MAX_SECONDS, canary


def test_it_runs_the_jobs_the_apps_register():
    out = StringIO()
    call_command("scheduler", "--list", stdout=out)
    jobs = out.getvalue()
    for job in ("sla_sweep", "consultation_notices", "statistics_refresh", "tasks_reap"):
        assert job in jobs


@pytest.mark.django_db(transaction=True)
def test_only_one_scheduler_holds_the_lock():
    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's")
    params = connection.get_connection_params()
    other = psycopg.connect(
        **{k: v for k, v in params.items() if k in ("host", "port", "user", "password", "dbname")}, autocommit=True
    )
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [scheduler.LOCK_KEY])
        assert scheduler.Command().take_lock() is False
        other.execute("SELECT pg_advisory_unlock(%s)", [scheduler.LOCK_KEY])
        assert scheduler.Command().take_lock() is True
    finally:
        other.close()
        connection.close()  # lets go of the lock this session took


def test_the_canary_is_bounded(monkeypatch):
    slept = []
    monkeypatch.setattr("portal.tasks.time.sleep", slept.append)
    canary.call(3600)
    assert slept == [CANARY_MAX_SECONDS]
