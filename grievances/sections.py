"""Blocks a wing adds to the staff case page, registered rather than imported.

A wing calls :func:`register_staff_section` from its ``AppConfig.ready()``
with ``fn(request, grievance) -> (template name, context) | None`` and where
the block goes: ``"case"`` beside the case's facts (similar cases, from the
insights wing) or ``"timeline"`` after the timeline (the SMS wing's delivery
states). The workspace renders them, so neither the case core nor the
workspace names a wing. A block reads only what the page's gate already
allowed: the case it is given, through the person's own gate.
"""

from __future__ import annotations

from collections.abc import Callable

StaffSection = Callable[..., tuple[str, dict] | None]
PLACES = ("case", "timeline")
_sections: list[tuple[str, StaffSection]] = []


def register_staff_section(section: StaffSection, *, place: str = "timeline") -> StaffSection:
    if place not in PLACES:
        raise ValueError(f"place must be one of {PLACES}, not {place!r}")
    if (place, section) not in _sections:
        _sections.append((place, section))
    return section


def staff_sections(request, grievance) -> dict[str, list[tuple[str, dict]]]:
    """Each place's blocks, in the order the wings registered them."""
    placed: dict[str, list[tuple[str, dict]]] = {place: [] for place in PLACES}
    for place, section in tuple(_sections):
        block = section(request, grievance)
        if block:
            placed[place].append(block)
    return placed
