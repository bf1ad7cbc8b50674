"""Personas and pages for consultation tests.

A ministry owns the consultations (an administrator who manages them, a
case officer who may only key in paper responses); a union and an
employers' federation answer through their representatives.
"""

import datetime

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from consultations.models import ConsultationIndexPage
from consultations.services import organization_section_ensure
from portal.models import Membership, Organization
from tests.factories import HOSTILE, HOSTILE_QUESTION_IDS, MembershipFactory, OrganizationFactory, consultation_page

R = Membership.Role
Q = HOSTILE_QUESTION_IDS
DAY = datetime.timedelta(days=1)


def with_second_factor(user):
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def ministry(db):
    return OrganizationFactory(kind=Organization.Kind.GOVERNMENT, name="Ministry of Social Development", slug="mosd-t")


@pytest.fixture
def manager(ministry):
    """The ministry's administrator: runs its consultations."""
    return with_second_factor(MembershipFactory(organization=ministry, role=R.ADMIN).user)


@pytest.fixture
def ministry_officer(ministry):
    """Ministry staff who may key in paper responses but not manage."""
    return with_second_factor(MembershipFactory(organization=ministry, role=R.CASE_OFFICER).user)


@pytest.fixture
def employers(db):
    return OrganizationFactory(kind=Organization.Kind.EMPLOYERS, name=f"Employers {HOSTILE}", slug="nef-t")


@pytest.fixture
def employers_rep(employers):
    return MembershipFactory(organization=employers, role=R.REPRESENTATIVE).user


@pytest.fixture
def union_member(union):
    return MembershipFactory(organization=union, role=R.MEMBER).user


@pytest.fixture
def index_page(home_page):
    page = ConsultationIndexPage.objects.filter(slug="consultations").first()
    if page is None:
        page = home_page.add_child(instance=ConsultationIndexPage(title="Consultations", slug="consultations"))
    return page


@pytest.fixture
def make_consultation(index_page, ministry):
    """make_consultation("open" | "upcoming" | "closed", **fields) → a published ConsultationPage."""

    def make(state="open", **fields):
        now = timezone.now()
        opens, closes = {
            "upcoming": (now + DAY, now + 10 * DAY),
            "open": (now - DAY, now + 10 * DAY),
            "closed": (now - 10 * DAY, now - DAY),
        }[state]
        fields.setdefault("owner", ministry)
        return consultation_page(index_page, opens_at=opens, closes_at=closes, **fields)

    return make


@pytest.fixture
def consultation(make_consultation):
    return make_consultation("open")


@pytest.fixture
def frozen(monkeypatch):
    """frozen(when): make timezone.now() return ``when`` everywhere, until the test ends."""

    def freeze(when):
        monkeypatch.setattr(timezone, "now", lambda: when)
        return when

    return freeze


def answers(**overrides) -> dict:
    """A complete, valid set of answers to the hostile questions (stored shape)."""
    data = {
        Q["text"]: f"My view {HOSTILE}",
        Q["single"]: "=B",
        Q["multi"]: ["X", f"Z {HOSTILE}"],
        Q["scale"]: "4",
        Q["yes_no"]: {"value": "yes", "comment": "+1 agree"},
    }
    data.update(overrides)
    return data


def form_data(action="submit", capacity="individual", **overrides) -> dict:
    """The POST body of the response form for the hostile questions."""
    data = {
        "action": action,
        "capacity": capacity,
        f"q_{Q['text']}": f"My view {HOSTILE}",
        f"q_{Q['single']}": "=B",
        f"q_{Q['multi']}": ["X", f"Z {HOSTILE}"],
        f"q_{Q['scale']}": "4",
        f"q_{Q['yes_no']}": "yes",
        f"q_{Q['yes_no']}_comment": "+1 agree",
        "publication": "named",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def union_editor(union, sections):
    """An editor of the riders' union, with its section ready and a second factor set up."""
    editor = with_second_factor(MembershipFactory(organization=union, role=Membership.Role.EDITOR).user)
    organization_section_ensure(organization=union, index_page=sections["own"].get_parent().specific)
    return editor
