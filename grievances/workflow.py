"""The grievance lifecycle as one explicit table.

Every action names the states it may start from, the state it leads to,
and who may take it. Services consult :func:`check_action`; anything not in
the table is refused with a sentence the person can act on.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    LODGED = "lodged", _("Lodged")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_COMPLAINANT = "awaiting_complainant", _("Waiting for your answer")
    REFERRED = "referred", _("Referred to another agency")
    RESOLVED = "resolved", _("Decision made")
    APPEALED = "appealed", _("Appealed")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Out of scope")
    WITHDRAWN = "withdrawn", _("Withdrawn")

    @property
    def is_open(self) -> bool:
        return self not in CLOSED_STATES


CLOSED_STATES = frozenset({Status.CLOSED, Status.REJECTED, Status.WITHDRAWN})
OPEN_STATES = frozenset(Status) - CLOSED_STATES

COMPLAINANT = "complainant"
OFFICER = "officer"
SUPERVISOR = "supervisor"


@dataclass(frozen=True)
class Action:
    name: str
    sources: frozenset[Status]
    target: Status | None  # None: the state does not change (a message, a note)
    actors: frozenset[str]


def _action(name, sources, target, *actors) -> Action:
    return Action(name, frozenset(sources), target, frozenset(actors))


_BEFORE_DECISION = {
    Status.LODGED,
    Status.ACKNOWLEDGED,
    Status.ASSIGNED,
    Status.IN_PROGRESS,
    Status.AWAITING_COMPLAINANT,
    Status.REFERRED,
}

ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        # The complainant's side.
        _action("reply", OPEN_STATES - {Status.AWAITING_COMPLAINANT}, None, COMPLAINANT),
        _action("provide_information", {Status.AWAITING_COMPLAINANT}, Status.IN_PROGRESS, COMPLAINANT),
        _action("accept", {Status.RESOLVED}, Status.CLOSED, COMPLAINANT),
        _action("appeal", {Status.RESOLVED}, Status.APPEALED, COMPLAINANT),
        _action("withdraw", OPEN_STATES, Status.WITHDRAWN, COMPLAINANT),
        # The agency's side. Which agency may take them is decided by
        # grievances.rules (the owning agency; for a pending
        # referral, the receiving one); this table says when and by whom.
        _action("acknowledge", {Status.LODGED}, Status.ACKNOWLEDGED, OFFICER, SUPERVISOR),
        # Reassigning an appeal is how a supervisor hands it to an appeal officer.
        _action("assign", (_BEFORE_DECISION - {Status.REFERRED}) | {Status.APPEALED}, None, SUPERVISOR, OFFICER),
        _action("start", {Status.ACKNOWLEDGED, Status.ASSIGNED}, Status.IN_PROGRESS, OFFICER, SUPERVISOR),
        _action("note", frozenset(Status), None, OFFICER, SUPERVISOR),
        _action("message", OPEN_STATES, None, OFFICER, SUPERVISOR),
        # Not from an appeal: the answer would send the case back to "in
        # progress" and lose the appeal's own deadline.
        _action(
            "request_information",
            {Status.ACKNOWLEDGED, Status.ASSIGNED, Status.IN_PROGRESS},
            Status.AWAITING_COMPLAINANT,
            OFFICER,
            SUPERVISOR,
        ),
        _action("refer", _BEFORE_DECISION - {Status.REFERRED}, Status.REFERRED, OFFICER, SUPERVISOR),
        # Taken by the receiving agency while the referral is pending.
        _action("accept_referral", {Status.REFERRED}, Status.ACKNOWLEDGED, OFFICER, SUPERVISOR),
        _action("return_referral", {Status.REFERRED}, Status.IN_PROGRESS, OFFICER, SUPERVISOR),
        _action("resolve", _BEFORE_DECISION - {Status.REFERRED}, Status.RESOLVED, OFFICER, SUPERVISOR),
        # "Out of scope" is a decision too, but it ends the case as rejected.
        _action("reject", _BEFORE_DECISION - {Status.REFERRED}, Status.REJECTED, OFFICER, SUPERVISOR),
        _action("mark_duplicate", _BEFORE_DECISION - {Status.REFERRED}, Status.CLOSED, OFFICER, SUPERVISOR),
        _action("close", {Status.RESOLVED}, Status.CLOSED, OFFICER, SUPERVISOR),
        # Someone senior to whoever decided first: never the officer.
        _action("decide_appeal", {Status.APPEALED}, Status.CLOSED, SUPERVISOR),
        _action("reopen", {Status.CLOSED, Status.RESOLVED, Status.REJECTED}, Status.IN_PROGRESS, SUPERVISOR),
    ]
}


STAFF_ACTIONS = tuple(name for name, spec in ACTIONS.items() if COMPLAINANT not in spec.actors)


class ActionRefused(Exception):
    """An action that the workflow table does not allow; the message says why."""


class StaleCase(ActionRefused):
    """The form was made from an older version of the case: someone else acted first."""

    def __init__(self, message=None):
        super().__init__(message or _("This case changed — reload it to see what happened, then try again."))


def allowed(action: str, status: str, actor: str) -> bool:
    spec = ACTIONS[action]
    return Status(status) in spec.sources and actor in spec.actors


def check_action(action: str, status: str, actor: str) -> Action:
    spec = ACTIONS[action]
    if actor not in spec.actors:
        raise ActionRefused(_("You cannot do this on this case."))
    if Status(status) not in spec.sources:
        raise ActionRefused(
            _("This cannot be done while the grievance is “%(status)s”.") % {"status": Status(status).label}
        )
    return spec
