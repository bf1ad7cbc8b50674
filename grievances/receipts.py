"""The lodging receipt: how the browser that lodged a case sees its acknowledgement without a session.

Right after lodging, the browser is sent to the acknowledgement page, which
shows the reference and, once, the PIN; the browser may then open the case
for two hours, as if it had typed the PIN. That used to take a database
session (a row written on lodging, read and written again on the next page)
for most lodgers, who have no session yet. It now travels in one cookie:

- sealed as a whole (AES-GCM under a key derived from SECRET_KEY), so the
  browser's cookie store shows neither the reference nor the PIN, and nobody
  can make or alter one; the PIN inside is sealed once more, bound to its
  case and valid for half an hour (``grievances.pins``);
- HttpOnly, Secure in production, SameSite=Lax, for two hours: only the
  browser that lodged sends it, and never in a URL or a log line;
- bound to the case's PIN hash like the session capability: a new PIN ends it.

"Shown once" is kept by the server too: the first showing of a case's PIN
takes a one-time mark in the shared cache (per process while Redis is down),
so a copy of the cookie taken before the page was seen cannot show the PIN a
second time; the page also sends the cookie back without the PIN.
"""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.core.cache import cache

from grievances.pins import PIN_SHOW_MAX_AGE, pin_open_for_showing, pin_seal_for_showing
from portal.lib.sealed import SealBroken, keyed_hash, seal, unseal

COOKIE = "suara_receipts"
PURPOSE = "grievance-lodging-receipt"
MAX_AGE_SECONDS = 2 * 60 * 60  # as long as a capability earned with the PIN
MAX_CASES = 5  # a few lodgings in a row from one browser; the oldest goes first
# Kept per process while Redis is down (settings' LOCAL_FALLBACK_PREFIXES), so the PIN still shows once.
SHOWN_PREFIX = "once:pin-shown:"


def fingerprint(pin_hash: str) -> str:
    """What binds a capability to the PIN it was earned with: issuing a new PIN ends it."""
    return pin_hash[-16:]


def _read(request) -> dict[str, list]:
    raw = getattr(request, "COOKIES", {}).get(COOKIE)
    if not raw:
        return {}
    try:
        data = json.loads(unseal(raw + "=" * (-len(raw) % 4), purpose=PURPOSE, max_age_seconds=MAX_AGE_SECONDS))
    except (SealBroken, ValueError):
        return {}
    now = time.time()
    # reference -> [fingerprint, sealed PIN or "", issued at]; expired entries are dropped.
    return {
        reference: entry
        for reference, entry in data.items()
        if isinstance(entry, list) and len(entry) == 3 and now - entry[2] <= MAX_AGE_SECONDS
    }


def _write(response, receipts: dict[str, list]) -> None:
    if not receipts:
        response.delete_cookie(COOKIE, samesite="Lax")
        return
    newest = dict(sorted(receipts.items(), key=lambda item: item[1][2])[-MAX_CASES:])
    value = seal(json.dumps(newest, separators=(",", ":")), purpose=PURPOSE).rstrip("=")
    response.set_cookie(
        COOKIE,
        value,
        max_age=MAX_AGE_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def give(request, response, *, reference: str, pin_hash: str, pin: str | None) -> None:
    """Give this browser the receipt for the case at ``reference``, with its PIN to show once (if given)."""
    receipts = _read(request)
    sealed_pin = pin_seal_for_showing(reference, pin) if pin else ""
    receipts[reference] = [fingerprint(pin_hash), sealed_pin, time.time()]
    _write(response, receipts)


def grants(request, *, reference: str, pin_hash: str) -> bool:
    """Whether this browser holds a receipt for the case at ``reference`` that its current PIN allows."""
    entry = _read(request).get(reference)
    return entry is not None and entry[0] == fingerprint(pin_hash)


def take_pin(request, *, reference: str) -> tuple[str | None, dict[str, list] | None]:
    """The PIN waiting to be shown for ``reference``, once, and the receipts to send back without it.

    The PIN is None when there is none, when it is older than half an hour, or
    when it was shown before (from this cookie or a copy of it). The receipts
    are None when nothing changed; else pass them to :func:`send_back`.
    """
    receipts = _read(request)
    entry = receipts.get(reference)
    if entry is None or not entry[1]:
        return None, None
    pin = pin_open_for_showing(reference, entry[1])
    entry[1] = ""
    shown_mark = SHOWN_PREFIX + keyed_hash(reference, purpose="pin-shown")
    if pin is not None and not cache.add(shown_mark, 1, PIN_SHOW_MAX_AGE):
        pin = None
    return pin, receipts


def send_back(response, receipts: dict[str, list] | None) -> None:
    """Send the receipts :func:`take_pin` left (the PIN taken out) back to the browser."""
    if receipts is not None:
        _write(response, receipts)
