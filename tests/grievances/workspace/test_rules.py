"""Who may take which agency action in which state: role × action × state, in tables."""

import pytest

from grievances import rules
from grievances.models import Grievance
from grievances.workflow import Status
from tests.grievances.workspace.conftest import lodge

S = Status
BEFORE = {S.LODGED, S.ACKNOWLEDGED, S.ASSIGNED, S.IN_PROGRESS, S.AWAITING_COMPLAINANT}

# What the owning agency's staff may do in each state (REFERRED: nothing,
# the receiving agency decides). Supervisors may additionally decide appeals
# and reopen.
OFFICER_MAY = {
    "acknowledge": {S.LODGED},
    "assign": BEFORE | {S.APPEALED},
    "start": {S.ACKNOWLEDGED, S.ASSIGNED},
    "note": set(Status) - {S.REFERRED},
    "message": set(Status) - {S.REFERRED, S.CLOSED, S.REJECTED, S.WITHDRAWN},
    "request_information": {S.ACKNOWLEDGED, S.ASSIGNED, S.IN_PROGRESS},
    "refer": BEFORE,
    "accept_referral": set(),
    "return_referral": set(),
    "resolve": BEFORE,
    "reject": BEFORE,
    "mark_duplicate": BEFORE,
    "close": {S.RESOLVED},
    "decide_appeal": set(),
    "reopen": set(),
}
SUPERVISOR_MAY = {
    **OFFICER_MAY,
    "decide_appeal": {S.APPEALED},
    "reopen": {S.CLOSED, S.RESOLVED, S.REJECTED},
}
# The receiving agency, while a referral to it is pending.
RECEIVER_MAY = {name: ({S.REFERRED} if name in rules.REFERRAL_PENDING_ACTIONS else set()) for name in OFFICER_MAY}


def in_state(grievance: Grievance, status, **fields) -> Grievance:
    grievance.status = status
    for name, value in fields.items():
        setattr(grievance, name, value)
    return grievance


@pytest.mark.parametrize("action", sorted(OFFICER_MAY))
def test_what_each_role_of_the_owning_agency_may_do_in_each_state(action, case, officer, supervisor, head):
    for status in Status:
        in_state(case, status)
        assert rules.can(officer, action, case) is (status in OFFICER_MAY[action]), (action, status, "officer")
        assert rules.can(supervisor, action, case) is (status in SUPERVISOR_MAY[action]), (action, status, "super")
        assert rules.can(head, action, case) is (status in SUPERVISOR_MAY[action]), (action, status, "head")


@pytest.mark.parametrize("action", sorted(OFFICER_MAY))
def test_officer_of_another_agency_can_take_no_action(action, case, outsider_officer, outsider_supervisor):
    for status in set(Status) - {S.REFERRED}:
        in_state(case, status)
        assert not rules.can(outsider_officer, action, case)
        assert not rules.can(outsider_supervisor, action, case)


@pytest.mark.parametrize("action", sorted(OFFICER_MAY))
def test_only_the_receiving_agency_acts_on_a_pending_referral(
    action, case, other_agency, officer, supervisor, outsider_officer
):
    in_state(case, S.REFERRED, referred_to=other_agency)
    assert rules.can(outsider_officer, action, case) is (S.REFERRED in RECEIVER_MAY[action])
    assert not rules.can(officer, action, case)
    assert not rules.can(supervisor, action, case)


def test_sensitive_cases_are_acted_on_by_focal_points_only(sensitive_category, outsider_officer, other_focal_point):
    grievance = lodge(sensitive_category)
    assert rules.actor_for(outsider_officer, grievance) is None
    assert rules.can(other_focal_point, "note", grievance)
    assert not rules.can(outsider_officer, "note", grievance)


def test_an_appeal_is_decided_by_a_supervisor_or_their_appeal_officer_never_the_first_decider(
    case, officer, second_officer, supervisor
):
    in_state(case, S.APPEALED, decided_by=officer, assignee=officer)
    assert not rules.can(officer, "decide_appeal", case)  # decided first, even though assigned
    in_state(case, S.APPEALED, decided_by=officer, assignee=second_officer)
    assert rules.can(second_officer, "decide_appeal", case)  # the appeal officer
    assert rules.can(supervisor, "decide_appeal", case)
    in_state(case, S.APPEALED, decided_by=supervisor, assignee=second_officer)
    assert not rules.can(supervisor, "decide_appeal", case)


def test_officers_take_cases_for_themselves_supervisors_assign_anyone(case, officer, second_officer, supervisor):
    in_state(case, S.ACKNOWLEDGED, assignee=None)
    assert rules.can_assign_to(officer, case, officer)
    assert not rules.can_assign_to(officer, case, second_officer)
    assert rules.can_assign_to(supervisor, case, second_officer)
    in_state(case, S.ASSIGNED, assignee=second_officer)
    assert not rules.can_assign_to(officer, case, officer)  # taking it from a colleague
    assert rules.can_assign_to(supervisor, case, officer)


def test_a_person_without_a_case_role_is_no_actor(case, beneficiary, union_rep):
    assert rules.actor_for(beneficiary, case) is None
    assert rules.actor_for(union_rep, case) is None
