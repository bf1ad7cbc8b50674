"""Taking a person's identifiers out of free text: phone numbers, e-mail addresses, national ID numbers, names.

The region's national identity numbers are all long runs of digits, written
with or without separators: Thailand's 13 digits (1-2345-67890-12-3),
Indonesia's NIK (16), Viet Nam's citizen card (12) and older ID (9), the
Philippines' PhilSys number (12, 1234-5678-9012-3456 with the check digits),
Malaysia's MyKad (YYMMDD-PB-###G, 12). Phone numbers are runs of 9 or more
digits with an optional "+" and separators. So every run of 9 or more digits,
however separated, is removed; shorter runs (dates, amounts, a house
number) stay, since they say what happened rather than who it happened to.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A digit, then digits and separators, ending with a digit; counted below.
DIGIT_RUN = re.compile(r"\+?\d[\d\s\-./()]{7,}\d")
MIN_IDENTIFIER_DIGITS = 9
MIN_NAME_PART = 2


def _digit_run(match: re.Match, marker: str) -> str:
    text = match.group(0)
    return marker if sum(ch.isdigit() for ch in text) >= MIN_IDENTIFIER_DIGITS else text


def name_parts(names) -> list[str]:
    """The names to remove: each name whole and each of its words, longest first (so whole names go first)."""
    parts: set[str] = set()
    for name in names:
        name = (name or "").strip()
        if not name:
            continue
        parts.add(name)
        parts.update(word for word in name.split() if len(word) >= MIN_NAME_PART)
    return sorted(parts, key=len, reverse=True)


def _remove_names(text: str, parts: list[str], marker: str) -> str:
    lowered = text.lower()
    present = [part for part in parts if part.lower() in lowered]
    if not present:
        return text
    if len(lowered) != len(text):  # a letter whose lower case is longer: let the regex engine match
        pattern = re.compile("|".join(re.escape(part) for part in present), re.IGNORECASE)
        return pattern.sub(marker, text)
    # Plain search, longest name first (compiling a pattern per case cost more than the rest of the scrub).
    spans: list[tuple[int, int]] = []
    for part in present:
        needle, start = part.lower(), 0
        while (found := lowered.find(needle, start)) >= 0:
            end = found + len(needle)
            if not any(found < taken_end and taken_start < end for taken_start, taken_end in spans):
                spans.append((found, end))
            start = end
    pieces, last = [], 0
    for start, end in sorted(spans):
        pieces += [text[last:start], marker]
        last = end
    return "".join(pieces) + text[last:]


def scrub(text: str, *, names=(), marker: str = "[…]") -> str:
    """``text`` without e-mail addresses, long digit runs (phones, ID numbers) and the given names."""
    if not text:
        return text
    if "@" in text:
        text = EMAIL.sub(marker, text)
    text = DIGIT_RUN.sub(lambda match: _digit_run(match, marker), text)
    parts = name_parts(names)
    return _remove_names(text, parts, marker) if parts else text
