"""Two submissions at the same instant never share a reference (PostgreSQL, real threads)."""

import re
import threading

import pytest
from django.db import connection, connections
from django.test import Client

from grievances import services
from grievances.models import Grievance
from grievances.services import lodging

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_lodgings_never_share_a_reference(category, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the race is between real connections (CI runs it)")
    real = lodging.generate_reference
    collisions = {"SU-2345-6789"}
    calls = threading.local()

    def colliding_first():
        # Every thread's first try is the same reference, as if the random
        # generator had produced it twice at the same instant.
        if not getattr(calls, "done", False):
            calls.done = True
            return next(iter(collisions))
        return real()

    monkeypatch.setattr(lodging, "generate_reference", colliding_first)
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    results, errors = [], []

    def lodge():
        try:
            barrier.wait()
            lodged = services.grievance_lodge(
                category=category, description="same instant", contact_preference="none", anonymous=True
            )
            results.append(lodged.grievance.reference)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=lodge) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(results) == threads_count == len(set(results))
    assert Grievance.objects.count() == threads_count
    assert "SU-2345-6789" in results  # exactly one thread won the collided reference


def test_three_simultaneous_sends_of_one_lodging_page_make_one_case(category):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the race is between real connections (CI runs it)")
    page = Client().get("/grievances/new/").content.decode()
    key = re.search(r'name="submission" value="([^"]+)"', page).group(1)
    data = {
        "category": str(category.pk),
        "description": "Sent three times by an impatient click.",
        "contact_preference": "none",
        "anonymous": "on",
        "confidentiality": "standard",
        "submission": key,
    }
    threads_count = 3
    barrier = threading.Barrier(threads_count)
    locations, errors = [], []

    def send():
        try:
            barrier.wait()
            response = Client().post("/grievances/new/", data)
            locations.append((response.status_code, response.get("Location")))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    grievance = Grievance.objects.get()
    assert locations == [(302, f"/grievances/{grievance.reference}/acknowledgement/")] * threads_count
