"""Blocks a wing adds to the staff case page, registered rather than imported.

A wing calls :func:`register_staff_section` from its ``AppConfig.ready()``
with ``fn(request, grievance) -> (template name, context) | None``; the
workspace's case page renders every block after the timeline, so the case
core and the workspace never name the wing (the SMS wing shows its texts'
delivery states this way). A block reads only what the page's gate already
allowed: the case it is given.
"""

from __future__ import annotations

from collections.abc import Callable

StaffSection = Callable[..., tuple[str, dict] | None]
_sections: list[StaffSection] = []


def register_staff_section(section: StaffSection) -> StaffSection:
    if section not in _sections:
        _sections.append(section)
    return section


def staff_sections(request, grievance) -> list[tuple[str, dict]]:
    blocks = (section(request, grievance) for section in tuple(_sections))
    return [block for block in blocks if block]
