"""A few short, anonymised excerpts that show what a theme is about in people's own words.

An excerpt is the ``LENGTH`` characters around the first mention of the
theme's main concept (any of its glossary forms, in any language) in a case
close to the theme's centroid. The whole description is scrubbed *before* it
is cut, so an identifier is removed whole and never survives as a fragment:
web addresses, e-mail addresses, every run of nine or more digits however
separated (phone numbers and the region's national ID numbers:
``portal.lib.scrub``) and the complainant's and member's names. Which cases
may be excerpted at all is ``selectors.excerpt_candidates``'s rule (never a
sensitive, anonymised or confidential case).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from grievances.insights.lexicon import CONCEPTS
from grievances.models import Grievance
from portal.lib.scrub import scrub

LENGTH = 160
SHOWN = 3
MARKER = "[…]"
URL = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)\S+", re.IGNORECASE)
SPACES = re.compile(r"\s+")
# A cut moves to the nearest space within this many characters, so that words stay whole.
WORD_SLACK = 20


@dataclass(frozen=True)
class Excerpt:
    text: str
    language: str


def _names(grievance: Grievance) -> list[str]:
    names = [grievance.contact_name, grievance.member_name]
    if grievance.complainant_id:
        names += [grievance.complainant.get_full_name(), getattr(grievance.complainant, "display_name", "")]
    return [name for name in names if name]


def anonymise(text: str, names=()) -> str:
    """``text`` without web addresses, e-mail addresses, phone and ID numbers, and the given names."""
    text = URL.sub(MARKER, text or "")
    return SPACES.sub(" ", scrub(text, names=names, marker=MARKER)).strip()


def _mention(lowered: str, concepts: list[str]) -> tuple[int, int] | None:
    """Where the first of ``concepts`` with a form in the text is first mentioned (start, end)."""
    for key in concepts:
        found = [(lowered.find(form), len(form)) for form in CONCEPTS.get(key, (None, ()))[1]]
        found = [(start, length) for start, length in found if start >= 0]
        if found:
            start, length = min(found)
            return start, start + length
    return None


def cut(text: str, concepts: list[str], length: int = LENGTH) -> str:
    """About ``length`` characters of ``text`` around its mention of the theme's concepts (else its start)."""
    if len(text) <= length:
        return text
    mention = _mention(text.lower(), concepts) if len(text.lower()) == len(text) else None
    middle = (mention[0] + mention[1]) // 2 if mention else 0
    start = max(0, min(middle - length // 2, len(text) - length))
    end = start + length
    # Whole words where the script has spaces; scripts without them are cut where they fall.
    if start > 0:
        space = text.find(" ", start, start + WORD_SLACK)
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = text.rfind(" ", end - WORD_SLACK, end)
        end = space if space > start else end
    # A marker cut in two would read as a stray bracket: keep it whole.
    for found in re.finditer(re.escape(MARKER), text):
        if found.start() < start < found.end():
            start = found.start()
        if found.start() < end < found.end():
            end = found.end()
    return ("…" if start > 0 else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def excerpts(candidates: list[Grievance], concepts: list[str], *, shown: int = SHOWN) -> list[Excerpt]:
    """Up to ``shown`` different excerpts from ``candidates`` (already chosen and ordered by the selector)."""
    found: list[Excerpt] = []
    seen: set[str] = set()
    for grievance in candidates:
        text = anonymise(grievance.description, _names(grievance))
        # A text that is all identifiers, or nothing at all, says nothing about the theme.
        if len(text.replace(MARKER, "").strip()) < 10:
            continue
        excerpt = cut(text, concepts)
        if excerpt in seen:
            continue
        seen.add(excerpt)
        found.append(Excerpt(text=excerpt, language=grievance.description_language))
        if len(found) == shown:
            break
    return found
