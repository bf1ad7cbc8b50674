"""What one lodging asks of the database: the busiest write path stays lean."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grievances.models import Grievance, Holiday
from grievances.workdays import add_working_days
from tests.grievances.test_lodge import form_data

pytestmark = pytest.mark.django_db


def lodge(client, category, n):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            "/grievances/new/", form_data(category, description=f"Lodging number {n}"), REMOTE_ADDR=f"10.1.0.{n}"
        )
    assert response.status_code == 302
    return [query["sql"] for query in queries.captured_queries]


def test_a_lodging_reads_the_holiday_calendar_from_memory_and_writes_the_case_once(client, category):
    lodge(client, category, 1)  # the process reads the calendar once
    statements = lodge(client, category, 2)
    assert not [sql for sql in statements if "grievances_holiday" in sql]
    # The case is inserted with its last activity; its two events do not update it again.
    assert not [sql for sql in statements if sql.startswith('UPDATE "grievances_grievance"')]
    grievance = Grievance.objects.get(description="Lodging number 2")
    assert grievance.last_activity_at == grievance.lodged_at


def test_a_holiday_added_counts_for_the_next_lodging_at_once(client, category):
    lodge(client, category, 1)
    first = Grievance.objects.get(description="Lodging number 1")
    # Make the first working day after today a holiday: the acknowledgement is due a day later.
    today = timezone.localdate()
    next_working_day = add_working_days(today, 1, set())
    Holiday.objects.create(date=next_working_day, name="A new public holiday")
    lodge(client, category, 2)
    second = Grievance.objects.get(description="Lodging number 2")
    assert second.acknowledge_due > first.acknowledge_due
    assert second.acknowledge_due == add_working_days(
        today, first.category.effective_sla_policy().acknowledge_days, {next_working_day}
    )

    Holiday.objects.filter(date=next_working_day).get().delete()
    lodge(client, category, 3)
    assert Grievance.objects.get(description="Lodging number 3").acknowledge_due == first.acknowledge_due


def test_without_a_shared_cache_the_calendar_is_read_every_time(client, category, monkeypatch):
    from grievances import sla

    monkeypatch.setattr(sla.cache, "get", lambda *args, **kwargs: None)
    monkeypatch.setattr(sla.cache, "add", lambda *args, **kwargs: False)
    lodge(client, category, 1)
    day = add_working_days(timezone.localdate(), 1, set())
    Holiday.objects.create(date=day, name="Seen without a cache")
    assert day in sla.holiday_calendar()


def _reads_the_case_back(statements: list[str]) -> bool:
    return any(sql.startswith("SELECT") and '"grievances_caseevent"' in sql.split("WHERE")[0] for sql in statements)


def _lodge_and_announce(client, category, n, capture):
    """A lodging with its after-commit work run, as it runs outside a test's transaction."""
    with CaptureQueriesContext(connection) as queries, capture(execute=True):
        response = client.post(
            "/grievances/new/", form_data(category, description=f"Lodging number {n}"), REMOTE_ADDR=f"10.1.0.{n}"
        )
    assert response.status_code == 302
    return [query["sql"] for query in queries.captured_queries]


def test_a_lodging_no_queue_is_watching_is_not_read_back_for_live_updates(
    client, category, django_capture_on_commit_callbacks
):
    _lodge_and_announce(client, category, 1, django_capture_on_commit_callbacks)
    assert not _reads_the_case_back(_lodge_and_announce(client, category, 2, django_capture_on_commit_callbacks))


def test_a_lodging_a_queue_is_watching_is_rendered_for_it(client, category, django_capture_on_commit_callbacks):
    from grievances.live.payloads import queue_group
    from portal.lib import realtime

    _lodge_and_announce(client, category, 1, django_capture_on_commit_callbacks)
    agency = Grievance.objects.get(description="Lodging number 1").agency_id
    realtime.mark_listening(queue_group(agency, language="en"))
    assert _reads_the_case_back(_lodge_and_announce(client, category, 2, django_capture_on_commit_callbacks))


def _statements(queries) -> list[str]:
    """The statements a request sent, without the transaction bookkeeping around them."""
    bookkeeping = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK")
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(bookkeeping)]


def test_an_anonymous_lodging_and_its_acknowledgement_ask_the_database_six_statements(
    client, category, django_capture_on_commit_callbacks
):
    """The busiest write path: no session row, no rate-limit row (Redis counts), nothing read back.

    The lodging: the category, the case, its two events, and after the commit the insights
    task (no webhook table: no agency has one). The acknowledgement: the case.
    """
    _lodge_and_announce(client, category, 1, django_capture_on_commit_callbacks)  # the calendar, once per process
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/grievances/new/",
            form_data(category, description="Anonymous", anonymous="on", contact_preference="none"),
            REMOTE_ADDR="10.1.0.2",
        )
    assert response.status_code == 302
    lodging = _statements(queries)
    assert not [sql for sql in lodging if "django_session" in sql or "grievances_throttlehit" in sql]
    assert not [sql for sql in lodging if "grievances_webhook" in sql]
    assert len(lodging) == 5, lodging
    with CaptureQueriesContext(connection) as queries:
        assert client.get(response["Location"]).status_code == 200
    assert len(_statements(queries)) == 1, _statements(queries)


def test_a_lodging_with_a_phone_number_adds_only_its_acknowledgement_task(
    client, category, django_capture_on_commit_callbacks
):
    _lodge_and_announce(client, category, 1, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        client.post("/grievances/new/", form_data(category, description="With a phone"), REMOTE_ADDR="10.1.0.3")
    lodging = _statements(queries)
    assert len(lodging) == 6, lodging
    assert sum('INSERT INTO "django_tasks_database_dbtaskresult"' in sql for sql in lodging) == 2


def test_a_browser_lodging_with_its_one_time_key_adds_two_statements(
    client, category, django_capture_on_commit_callbacks, monkeypatch
):
    """The form's key is claimed (one insert) and settled (one update); expired keys are pruned now and then."""
    import re

    from grievances.services import lodging

    monkeypatch.setattr(lodging.secrets, "randbelow", lambda n: 1)  # not this time's turn to prune
    _lodge_and_announce(client, category, 1, django_capture_on_commit_callbacks)
    key = re.search(r'name="submission" value="([^"]+)"', client.get("/grievances/new/").content.decode()).group(1)
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/grievances/new/",
            form_data(category, description="Keyed", anonymous="on", contact_preference="none", submission=key),
            REMOTE_ADDR="10.1.0.4",
        )
    lodging_statements = _statements(queries)
    assert len(lodging_statements) == 7, lodging_statements
    assert not [sql for sql in lodging_statements if sql.startswith("DELETE")]


@pytest.fixture
def lodging_on_redis(settings, redis_server):
    """The cache on a redis-server this test may stop (as tests/portal's ``on_redis``)."""
    from portal.lib.cache import ResilientRedisCache
    from tests.portal.conftest import redis_settings

    settings.CACHES = redis_settings(redis_server.url)["CACHES"]
    ResilientRedisCache._down_until = 0.0
    yield redis_server
    ResilientRedisCache._down_until = 0.0


def test_the_lodging_limit_holds_while_redis_is_down_and_the_pin_still_shows_once(client, category, lodging_on_redis):
    from grievances.models import ThrottleHit

    address = "198.51.100.7"
    assert client.post("/grievances/new/", form_data(category), REMOTE_ADDR=address).status_code == 302
    lodging_on_redis.stop()
    for n in range(10):  # the database counts afresh: one more allowance at most
        response = client.post("/grievances/new/", form_data(category, description=f"n{n}"), REMOTE_ADDR=address)
        assert response.status_code == 302
    assert client.post("/grievances/new/", form_data(category), REMOTE_ADDR=address).status_code == 429
    assert ThrottleHit.objects.count() == 10
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="pin"' in page
    assert 'data-testid="pin"' not in client.get(response["Location"]).content.decode()
