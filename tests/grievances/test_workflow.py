"""The complainant's part of the workflow table: every action × every state."""

import pytest

from grievances.workflow import COMPLAINANT, OFFICER, ActionRefused, Status, allowed, check_action

S = Status
OPEN = {S.LODGED, S.ACKNOWLEDGED, S.ASSIGNED, S.IN_PROGRESS, S.AWAITING_COMPLAINANT, S.REFERRED, S.RESOLVED, S.APPEALED}

EXPECTED = {
    "reply": OPEN - {S.AWAITING_COMPLAINANT},
    "provide_information": {S.AWAITING_COMPLAINANT},
    "accept": {S.RESOLVED},
    "appeal": {S.RESOLVED},
    "withdraw": OPEN,
}


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("status", list(Status))
def test_what_a_complainant_may_do_in_each_state(action, status):
    assert allowed(action, status, COMPLAINANT) is (status in EXPECTED[action])


@pytest.mark.parametrize("action", ["resolve", "request_information", "refer", "note", "decide_appeal"])
def test_a_complainant_can_take_no_agency_action(action):
    for status in Status:
        assert not allowed(action, status, COMPLAINANT)


def test_refusals_say_why_in_plain_words():
    with pytest.raises(ActionRefused, match="Closed"):
        check_action("reply", S.CLOSED, COMPLAINANT)
    with pytest.raises(ActionRefused, match="cannot do this"):
        check_action("accept", S.RESOLVED, OFFICER)
