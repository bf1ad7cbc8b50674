"""Case PINs: six digits shown once, stored only as a keyed hash.

A slow password hash cannot protect a six-digit space (a million guesses at
50 ms each is a day of one core), so it would only slow down lodging. What
protects a PIN is (1) the lock after five wrong tries per reference, online (see grievances.throttle),
and (2) a key that is not in the database, offline: the hash is an HMAC under
a key derived from SECRET_KEY, with a per-case salt.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings

from portal.lib.sealed import SealBroken, seal, unseal

PIN_LENGTH = 6
# A PIN travels to the acknowledgement task sealed under this purpose, never in clear.
PIN_SEAL_PURPOSE = "grievance-pin"
# Between lodging and the page that shows it once, a PIN waits sealed, bound to its case, for
# this long at most: in the lodging browser's receipt cookie (grievances.receipts), or for a
# slip printed by staff in their session.
PIN_SHOW_MAX_AGE = 30 * 60


def generate_pin() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(PIN_LENGTH))


def _key() -> bytes:
    return hashlib.sha256(b"suara.grievance-pin|" + settings.SECRET_KEY.encode()).digest()


def hash_pin(pin: str, *, salt: str | None = None) -> str:
    """``hmac-sha256$<salt>$<hex>``."""
    salt = salt or secrets.token_hex(8)
    digest = hmac.new(_key(), f"{salt}|{pin}".encode(), hashlib.sha256).hexdigest()
    return f"hmac-sha256${salt}${digest}"


def check_pin(pin: str, stored: str) -> bool:
    try:
        scheme, salt, _ = stored.split("$", 2)
    except ValueError:
        return False
    if scheme != "hmac-sha256" or not pin:
        return False
    return hmac.compare_digest(hash_pin(pin.strip(), salt=salt), stored)


def _show_purpose(reference: str) -> str:
    return f"grievance-pin-shown|{reference}"


def _open(reference: str, token) -> str | None:
    try:
        return unseal(str(token), purpose=_show_purpose(reference), max_age_seconds=PIN_SHOW_MAX_AGE)
    except SealBroken:
        return None


def pin_seal_for_showing(reference: str, pin: str) -> str:
    """``pin`` sealed to be shown once for the case at ``reference`` (see :func:`pin_open_for_showing`)."""
    return seal(pin, purpose=_show_purpose(reference))


def pin_open_for_showing(reference: str, token: str) -> str | None:
    """The PIN in ``token`` if it was sealed for ``reference`` within :data:`PIN_SHOW_MAX_AGE`; else None."""
    return _open(reference, token)


def pin_keep_for_showing(session, key: str, *, reference: str, pin: str) -> None:
    """Keep ``pin`` in ``session[key]`` until :func:`pin_take_for_showing`: sealed, never in clear.

    Entries past :data:`PIN_SHOW_MAX_AGE` are dropped on the way.
    """
    kept = {ref: token for ref, token in session.get(key, {}).items() if _open(ref, token) is not None}
    kept[reference] = pin_seal_for_showing(reference, pin)
    session[key] = kept


def pin_take_for_showing(session, key: str, *, reference: str) -> str | None:
    """The PIN kept for ``reference``, removed from the session; None if none, or too old."""
    kept = dict(session.get(key, {}))
    token = kept.pop(reference, None)
    session[key] = kept
    return _open(reference, token) if token is not None else None
