"""Public case references: short, unguessable, typo-resistant.

``SU-7K3Q-9PXM``: seven random characters and one check character from an
alphabet without look-alikes (no 0/O, 1/I/L, U). 30⁷ ≈ 2.2 × 10¹⁰ random
references make enumeration pointless, and the reference alone opens nothing
anyway (a PIN or an account is needed). The check character (Luhn mod N)
catches a mistyped character or two swapped neighbours before any lookup.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "SU"
RANDOM_LENGTH = 7
_INDEX = {char: i for i, char in enumerate(ALPHABET)}
_SHAPE = re.compile(rf"^{PREFIX}[{ALPHABET}]{{{RANDOM_LENGTH + 1}}}$")


def check_character(body: str) -> str:
    """Luhn mod N over ``body``; detects any single substitution and adjacent swaps."""
    n = len(ALPHABET)
    factor, total = 2, 0
    for char in reversed(body):
        addend = factor * _INDEX[char]
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return ALPHABET[(n - total % n) % n]


def format_reference(compact: str) -> str:
    """``SU7K3Q9PXM`` → ``SU-7K3Q-9PXM``."""
    body = compact[len(PREFIX) :]
    return f"{PREFIX}-{body[:4]}-{body[4:]}"


def generate_reference() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return format_reference(PREFIX + body + check_character(body))


def normalize_reference(text: str) -> str | None:
    """What a person typed → the canonical reference, or None if it cannot be one.

    Accepts lower case, spaces and missing or extra dashes, as people copy
    references from SMS and paper slips.
    """
    compact = re.sub(r"[\s\-_.]", "", (text or "").upper())
    if not _SHAPE.match(compact):
        return None
    body = compact[len(PREFIX) :]
    if check_character(body[:-1]) != body[-1]:
        return None
    return format_reference(compact)
