"""The same draft sent from two tabs at the same instant makes one case (PostgreSQL, real threads)."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from grievances.models import Grievance
from grievances.offline import services

from .conftest import DEVICE
from .test_sync import SYNC, draft

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_sends_of_one_draft_make_one_case(recorder, agency, category):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the race is between real connections (CI runs it)")
    (issued,) = services.references_reserve(user=recorder, device_id=DEVICE, organization=agency, count=1)
    body = draft(category, issued.reference)
    count = 6
    barrier = threading.Barrier(count)
    statuses, errors = [], []

    def send():
        try:
            client = Client()
            client.force_login(recorder)
            barrier.wait()
            response = client.post(SYNC, body)
            statuses.append((response.status_code, response.json()["status"]))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(statuses) == [(200, "already")] * (count - 1) + [(201, "created")]
    assert Grievance.objects.filter(reference=issued.reference).count() == 1
