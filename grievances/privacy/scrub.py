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


def scrub(text: str, *, names=(), marker: str = "[…]") -> str:
    """``text`` without e-mail addresses, long digit runs (phones, ID numbers) and the given names."""
    if not text:
        return text
    text = EMAIL.sub(marker, text)
    text = DIGIT_RUN.sub(lambda match: _digit_run(match, marker), text)
    parts = name_parts(names)
    if parts:
        pattern = re.compile("|".join(re.escape(part) for part in parts), re.IGNORECASE)
        text = pattern.sub(marker, text)
    return text
