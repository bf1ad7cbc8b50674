"""The demo gives the oversight login a theme to read: two agencies, four languages, a trend, no identifier shown."""

import io

import pytest
from django.core.management import call_command

from grievances.insights import demo
from grievances.insights.models import Membership as ThemeMembership
from grievances.models import Grievance
from portal.demo import ACCOUNTS
from portal.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(monkeypatch):
    monkeypatch.setattr("portal.middleware.needs_second_factor", lambda user: False)


def test_the_oversight_demo_login_reads_a_theme_of_both_agencies_and_seeding_again_adds_nothing(client):
    call_command("seed_demo", "--quiet-accounts", stdout=io.StringIO())
    first = Grievance.objects.filter(description=demo.description_of(0)[1]).get()
    theme = ThemeMembership.objects.get(grievance=first).theme_id
    email = next(account.email for account in ACCOUNTS if account.local_part == "ministry.oversight")
    client.force_login(User.objects.get(email__iexact=email))
    assert f"/workspace/insights/themes/{theme}/" in client.get("/workspace/insights/").content.decode()
    page = client.get(f"/workspace/insights/themes/{theme}/").content.decode()
    assert "Social Security Office" in page and "Department of Labour Protection and Welfare" in page
    assert "<blockquote" in page
    assert not any(seeded in page for seeded in ("Somchai", "Rakdee", "081 234 5678", "234 5678", first.reference))
    texts = [demo.description_of(index)[1] for index in range(demo.CASES)]
    assert Grievance.objects.filter(description__in=texts).count() == demo.CASES
    before = Grievance.objects.count()
    call_command("seed_demo", "--quiet-accounts", stdout=io.StringIO())
    assert Grievance.objects.filter(description__in=texts).count() == demo.CASES
    # The whole demo, its sealed (sensitive) case included, is seeded once.
    assert Grievance.objects.count() == before
