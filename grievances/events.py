"""What the case core says after a change, and who listens.

A service records a change and calls :func:`announce` inside its
transaction; once it commits, every subscriber receives a
:class:`CaseChange`. The wings subscribe from their ``AppConfig.ready()``
(live updates render and send the new timeline entries, the workspace
recounts its queues, the API offers the event to webhooks), so the core
never names them and a new wing needs no change here. A subscriber that
fails is logged and never reaches the person whose change was saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db import transaction


@dataclass(frozen=True)
class CaseChange:
    """One committed change of a case, named by ids: subscribers read the committed rows themselves."""

    case_id: int
    # The event the change recorded; a subscriber rendering the timeline
    # takes every event from here on (an internal note written in the same
    # transaction as a public event travels with it).
    event_id: int
    public: bool
    # The agencies whose queues the case is in now (owner, pending receiver)...
    agencies: tuple[int, ...]
    # ...and those it has just left (an accepted or returned referral).
    left: tuple[int, ...] = ()
    # The change that brought the case into being (lodging): nobody can be
    # reading the case itself yet, only the queues it lands in.
    new_case: bool = False
    # The event's kind (``CaseEvent.Kind``), so a subscriber waiting for one kind reads nothing to know.
    kind: str = ""

    @property
    def queues(self) -> tuple[int, ...]:
        """Every agency whose queue shows, or just stopped showing, the case."""
        return tuple(dict.fromkeys((*self.agencies, *self.left)))


Subscriber = Callable[[CaseChange], object]
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> Subscriber:
    """Call ``subscriber(change)`` after every committed case change (once, however often registered)."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def announce(grievance, event, *, left: tuple[int, ...] = (), new_case: bool = False) -> CaseChange:
    """After the current transaction commits, tell every subscriber that ``event`` happened to ``grievance``."""
    agencies = tuple(agency for agency in (grievance.agency_id, grievance.referred_to_id) if agency)
    change = CaseChange(
        case_id=grievance.pk,
        event_id=event.pk,
        public=event.public,
        agencies=agencies,
        left=tuple(agency for agency in left if agency),
        new_case=new_case,
        kind=event.kind,
    )
    for subscriber in tuple(_subscribers):
        transaction.on_commit(partial(subscriber, change), robust=True)
    return change
