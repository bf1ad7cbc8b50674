"""The case core's limits: lodging and wrong PINs.

Wrong PINs are counted in the database (see :class:`ThrottleHit`), not the
cache, so that a cache outage or an emptied Redis cannot lift a lock
(``portal.lib.ratelimit.DatabaseStore``).

Lodgings are counted in Redis while it is up, with the database taking over
while it is down (``portal.lib.ratelimit.RedisFirstStore``): the busiest write
path then writes no row per lodging for its limit. An outage starts the count
afresh once, which lets an address lodge at most one more allowance (10) in
that hour: a flood is still stopped, and no lock on a case is at stake.

Five wrong PINs an hour lock a reference for everyone, which bounds
guessing to 120 tries a day per case (a six-digit PIN then takes years on
average). Anyone who knows a reference could keep that lock on for ever, so
a browser that has already opened the case (it lodged it, or typed the
right PIN before) carries a signed *track pass* for it: with the pass the
public lock does not apply, only a lock of its own that strangers' failures
never touch. The pass is no key: the PIN is still checked.
"""

from __future__ import annotations

from datetime import timedelta

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac

from grievances.models import ThrottleHit
from portal.lib.ratelimit import DatabaseStore, Limit, RedisFirstStore

LODGE_PER_ADDRESS = Limit("lodge-ip", 10, timedelta(hours=1))
LODGE_PER_USER = Limit("lodge-user", 30, timedelta(hours=1))
TRACK_FAILURES_PER_REFERENCE = Limit("track-ref", 5, timedelta(hours=1))
TRACK_FAILURES_PER_ADDRESS = Limit("track-ip", 20, timedelta(hours=1))
# Failures of browsers holding a pass for the reference: only its owner's browsers can count here.
TRACK_FAILURES_WITH_PASS = Limit("track-pass", 5, timedelta(hours=1))

PASS_COOKIE = "suara_track_pass"
PASS_SALT = "suara.grievances.track-pass"
PASS_MAX_AGE = timedelta(days=365)
PASS_MAX_CASES = 20

store = DatabaseStore(ThrottleHit, retention=timedelta(days=1))
lodging_store = RedisFirstStore(store)
_LODGING_SCOPES = {LODGE_PER_ADDRESS.scope, LODGE_PER_USER.scope}


def _store_for(limit: Limit):
    return lodging_store if limit.scope in _LODGING_SCOPES else store


def client_address(request) -> str:
    """The client's address, trusting as many proxies as TRUSTED_PROXY_COUNT says."""
    return get_adapter(request).get_client_ip(request) or "unknown"


def record(limit: Limit, raw_key: str) -> None:
    _store_for(limit).hit(limit, raw_key)


def retry_after(limit: Limit, raw_key: str) -> int:
    """Seconds until ``raw_key`` may try again under ``limit``; 0 when it may now."""
    return _store_for(limit).retry_after(limit, raw_key)


def _pass_mark(reference: str) -> str:
    # A keyed digest, not the reference: a shared computer's cookies do not tell who lodged what.
    return salted_hmac(PASS_SALT, reference, algorithm="sha256").hexdigest()[:20]


def _pass_marks(request) -> list[str]:
    try:
        value = request.get_signed_cookie(PASS_COOKIE, salt=PASS_SALT, max_age=PASS_MAX_AGE)
    except (KeyError, signing.BadSignature):
        return []
    return [mark for mark in value.split(".") if mark]


def has_track_pass(request, reference: str) -> bool:
    """Whether this browser has opened the case at ``reference`` before (a signed cookie says so)."""
    return bool(reference) and _pass_mark(reference) in _pass_marks(request)


def give_track_pass(request, response, reference: str) -> None:
    """Remember on ``response`` that this browser opened ``reference``, for a year, with up to 20 cases."""
    marks = [mark for mark in _pass_marks(request) if mark != _pass_mark(reference)]
    marks = [*marks, _pass_mark(reference)][-PASS_MAX_CASES:]
    response.set_signed_cookie(
        PASS_COOKIE,
        ".".join(marks),
        salt=PASS_SALT,
        max_age=int(PASS_MAX_AGE.total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
