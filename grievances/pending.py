"""References given out before their case exists, and what the track page says about them.

A channel that hands out a reference before the case reaches us (a field visit
without a connection) registers a finder here from its ``AppConfig.ready()``;
the track page asks the finders when no case has the reference, so the person
reads "it has not reached us yet" instead of a bare "not found". The core never
learns which channel answered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PendingReference:
    reference: str
    issued_at: datetime
    issued_by: str  # the organization the person met


Finder = Callable[[str, str], PendingReference | None]
_finders: list[Finder] = []


def register(finder: Finder) -> None:
    """``finder(reference, pin)`` answers only when the PIN is the one given with the reference."""
    if finder not in _finders:
        _finders.append(finder)


def find(reference: str, pin: str) -> PendingReference | None:
    for finder in _finders:
        found = finder(reference, pin)
        if found is not None:
            return found
    return None
