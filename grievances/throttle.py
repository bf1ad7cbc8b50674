"""The case core's limits: lodging and wrong PINs, kept in the database (see :class:`ThrottleHit`).

Kept in the database, not the cache, so that a cache outage cannot lift a
lock (``portal.lib.ratelimit.DatabaseStore``).
"""

from __future__ import annotations

from datetime import timedelta

from allauth.account.adapter import get_adapter

from grievances.models import ThrottleHit
from portal.lib.ratelimit import DatabaseStore, Limit

LODGE_PER_ADDRESS = Limit("lodge-ip", 10, timedelta(hours=1))
LODGE_PER_USER = Limit("lodge-user", 30, timedelta(hours=1))
TRACK_FAILURES_PER_REFERENCE = Limit("track-ref", 5, timedelta(hours=1))
TRACK_FAILURES_PER_ADDRESS = Limit("track-ip", 20, timedelta(hours=1))

store = DatabaseStore(ThrottleHit, retention=timedelta(days=1))


def client_address(request) -> str:
    """The client's address, trusting as many proxies as TRUSTED_PROXY_COUNT says."""
    return get_adapter(request).get_client_ip(request) or "unknown"


def record(limit: Limit, raw_key: str) -> None:
    store.hit(limit, raw_key)


def retry_after(limit: Limit, raw_key: str) -> int:
    """Seconds until ``raw_key`` may try again under ``limit``; 0 when it may now."""
    return store.retry_after(limit, raw_key)
