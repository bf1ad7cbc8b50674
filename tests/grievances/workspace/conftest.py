"""Personas for the agency side: officers, supervisors, heads and focal points of two agencies."""

import pytest

from grievances.models import Grievance
from grievances.services import grievance_lodge
from portal.models import Membership
from tests.factories import HOSTILE, MembershipFactory

Role = Membership.Role


def member(organization, role, **extra):
    return MembershipFactory(organization=organization, role=role, **extra).user


@pytest.fixture
def second_officer(agency):
    return member(agency, Role.CASE_OFFICER)


@pytest.fixture
def supervisor(agency):
    return member(agency, Role.SUPERVISOR)


@pytest.fixture
def head(agency):
    return member(agency, Role.ADMIN)


@pytest.fixture
def focal_point(agency):
    return member(agency, Role.CASE_OFFICER, focal_point=True)


@pytest.fixture
def outsider_officer(other_agency):
    """An officer of the other agency: sees none of this agency's cases."""
    return member(other_agency, Role.CASE_OFFICER)


@pytest.fixture
def outsider_supervisor(other_agency):
    return member(other_agency, Role.SUPERVISOR)


@pytest.fixture
def other_focal_point(other_agency):
    return member(other_agency, Role.CASE_OFFICER, focal_point=True)


def lodge(category, **fields):
    defaults = {
        "description": f"My payment did not arrive. {HOSTILE}",
        "contact_preference": Grievance.Contact.PHONE,
        "contact_name": f"Malee {HOSTILE}",
        "contact_phone": "+66 81 234 5678",
    }
    defaults.update(fields)
    return grievance_lodge(category=category, **defaults).grievance


@pytest.fixture
def case(category):
    """A case of ``agency`` with a named complainant, as lodged online (acknowledged)."""
    return lodge(category)


@pytest.fixture
def staff_client(client):
    """Sign in a staff persona; demo-domain e-mail is not needed as the tests skip the second factor."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture(autouse=True)
def _no_second_factor_in_workspace_tests(monkeypatch):
    # The second factor has its own tests (tests/portal/test_second_factor.py);
    # here staff pages are the subject.
    monkeypatch.setattr("portal.middleware.needs_second_factor", lambda user: False)


class Clock:
    """Frozen time: ``clock.set(2027, 1, 4, 9)``; ``timezone.now`` and ``localdate`` follow."""

    def __init__(self, monkeypatch):
        from datetime import datetime
        from zoneinfo import ZoneInfo

        from django.apps import apps
        from django.conf import settings
        from django.utils import timezone

        self._tz = ZoneInfo(settings.TIME_ZONE)
        self._datetime = datetime
        real_now = timezone.now
        self.now = real_now()

        def fake_now():
            return self.now

        monkeypatch.setattr(timezone, "now", fake_now)
        # Model fields hold the real function as their default (bound at
        # import), and Django caches it per field: point those at the clock too.
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if field.default is real_now:
                    # _get_default first: it is a cached_property, and reading
                    # it (monkeypatch keeps the old value to restore) after
                    # ``default`` was patched would cache the fake clock for
                    # every later test.
                    monkeypatch.setattr(field, "_get_default", fake_now)
                    monkeypatch.setattr(field, "default", fake_now)

    def set(self, year, month, day, hour=10, minute=0):
        self.now = self._datetime(year, month, day, hour, minute, tzinfo=self._tz)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)
