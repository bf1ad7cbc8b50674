"""Phone numbers: matched by a keyed hash, kept sealed only where a text must reach them."""

from __future__ import annotations

import re

from portal.lib.sealed import SealBroken, keyed_hash, seal, unseal

PURPOSE = "sms-number"
# A sealed number is opened as long as its case lives; the seal's clock is not what limits it.
SEAL_MAX_AGE = 20 * 365 * 24 * 60 * 60


def normalize(number: str) -> str:
    """``+66 81-234 5678`` → ``+66812345678``: what a gateway and a person may write differently."""
    number = (number or "").strip()
    digits = re.sub(r"\D", "", number)
    return ("+" if number.startswith("+") else "") + digits


def number_hash(number: str) -> str:
    return keyed_hash(normalize(number), purpose=PURPOSE)


def seal_number(number: str) -> str:
    return seal(normalize(number), purpose=PURPOSE)


def open_number(sealed: str) -> str | None:
    try:
        return unseal(sealed, purpose=PURPOSE, max_age_seconds=SEAL_MAX_AGE)
    except SealBroken:
        return None
