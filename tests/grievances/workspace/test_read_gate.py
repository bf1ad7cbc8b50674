"""The one read gate, ``Grievance.objects.visible_to``: persona × kind of case, in a table."""

import pytest

from grievances import services
from grievances.models import Grievance
from portal.models import Membership
from tests.grievances.workspace.conftest import lodge, member


@pytest.fixture
def cases(category, sensitive_category, agency, other_agency, officer):
    """One case of each kind that matters to the gate, named."""
    own = lodge(category)
    referred_out = lodge(category)
    services.grievance_refer(grievance=referred_out, user=officer, to_agency=other_agency, reasons="r", version=1)
    sensitive_other = lodge(sensitive_category)  # routed to other_agency
    return {"own": own, "referred_out_pending": referred_out, "sensitive_other": sensitive_other}


# persona → the cases it sees
EXPECTED = {
    "officer": {"own", "referred_out_pending"},
    "supervisor": {"own", "referred_out_pending"},
    "focal_point": {"own", "referred_out_pending"},  # focal for its own agency, not the other's
    "outsider_officer": {"referred_out_pending"},  # the receiving agency sees a pending referral
    "other_focal_point": {"referred_out_pending", "sensitive_other"},
    "beneficiary": set(),
    "union_rep": set(),
    "inactive_officer": set(),
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_who_sees_which_case(request, cases, persona, agency):
    if persona == "inactive_officer":
        user = member(agency, Membership.Role.CASE_OFFICER, active=False)
    else:
        user = request.getfixturevalue(persona)
    seen = set(Grievance.objects.visible_to(user).values_list("reference", flat=True))
    assert seen == {cases[name].reference for name in EXPECTED[persona]}


def test_anonymous_visitors_see_nothing(cases):
    from django.contrib.auth.models import AnonymousUser

    assert not Grievance.objects.visible_to(AnonymousUser()).exists()
    assert not Grievance.objects.visible_to(None).exists()


def test_officer_of_agency_a_cannot_open_agency_bs_case_by_guessing_its_address(
    client, category, outsider_officer, monkeypatch
):
    monkeypatch.setattr("portal.middleware.needs_second_factor", lambda user: False)
    grievance = lodge(category)
    client.force_login(outsider_officer)
    for path in ("", "access/", "attachments/1/"):
        assert client.get(f"/workspace/cases/{grievance.reference}/{path}").status_code == 404
    assert client.post(f"/workspace/cases/{grievance.reference}/note/", {"note-version": 1}).status_code == 404


def test_a_revoked_membership_stops_sight_even_on_a_long_lived_user_object(cases, officer, monkeypatch):
    """A websocket keeps one user object for hours: the gate must not trust its memberships for that long."""
    from grievances import models

    assert Grievance.objects.visible_to(officer).filter(pk=cases["own"].pk).exists()
    Membership.objects.filter(user=officer).update(active=False)
    clock = models.time.monotonic() + models.MEMBERSHIPS_FRESH_SECONDS + 1
    monkeypatch.setattr(models.time, "monotonic", lambda: clock)
    assert not Grievance.objects.visible_to(officer).filter(pk=cases["own"].pk).exists()
