"""Rate limits and locks kept in the database (see :class:`ThrottleHit`)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.utils import timezone

from grievances.models import ThrottleHit


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    window: timedelta


LODGE_PER_ADDRESS = Limit("lodge-ip", 10, timedelta(hours=1))
LODGE_PER_USER = Limit("lodge-user", 30, timedelta(hours=1))
TRACK_FAILURES_PER_REFERENCE = Limit("track-ref", 5, timedelta(hours=1))
TRACK_FAILURES_PER_ADDRESS = Limit("track-ip", 20, timedelta(hours=1))
RETENTION = timedelta(days=1)
PRUNE_ONE_IN = 50


def client_address(request) -> str:
    """The client's address, trusting as many proxies as TRUSTED_PROXY_COUNT says."""
    return get_adapter(request).get_client_ip(request) or "unknown"


def _key(raw: str) -> str:
    secret = hashlib.sha256(b"suara.throttle|" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(secret, raw.encode(), hashlib.sha256).hexdigest()


def record(limit: Limit, raw_key: str) -> None:
    now = timezone.now()
    ThrottleHit.objects.create(scope=limit.scope, key=_key(raw_key), created_at=now)
    # Keep the table small without a separate job: now and then, old hits go
    # as new ones come (every time would add a write to every submission).
    if secrets.randbelow(PRUNE_ONE_IN) == 0:
        ThrottleHit.objects.filter(created_at__lt=now - RETENTION).delete()


def retry_after(limit: Limit, raw_key: str) -> int:
    """Seconds until ``raw_key`` may try again under ``limit``; 0 when it may now."""
    since = timezone.now() - limit.window
    hits = list(
        ThrottleHit.objects.filter(scope=limit.scope, key=_key(raw_key), created_at__gte=since)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[: limit.count]
    )
    if len(hits) < limit.count:
        return 0
    # Free again when the oldest of the last `count` hits leaves the window.
    free_at = hits[-1] + limit.window
    return max(1, int((free_at - timezone.now()).total_seconds()) + 1)
