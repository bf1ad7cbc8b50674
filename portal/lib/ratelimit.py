"""One way to limit how often something happens: a :class:`Limit`, counted in a store.

Two stores share one interface (``hit``, ``retry_after``, ``take``):

- :class:`DatabaseStore` keeps each hit as a row of a model with ``scope``,
  ``key`` and ``created_at`` (a sliding window). For limits that must hold
  even when the cache is down or emptied: lodging a grievance, wrong PINs.
- :class:`CacheStore` counts hits per fixed window in the cache. For limits
  on every request (API tokens, anonymous API reads), where a database write
  per request would cost too much and a brief lapse costs little.
- :class:`RedisFirstStore` keeps the same sliding window as the database
  store in Redis while the shared cache is Redis and up, and hands over to a
  database store when it is not: no database write per hit, and the limit
  keeps working through an outage (each store counts its own hits, so an
  outage or an emptied Redis starts the count afresh once).

Keys are never stored as given: both stores keep a keyed hash (HMAC under a
key derived from ``SECRET_KEY``), so an address or a reference cannot be
read back from a database dump or the cache.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import caches
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from portal.lib import sealed

_REDIS_FAILURES = (RedisConnectionError, RedisTimeoutError, OSError)


@dataclass(frozen=True)
class Limit:
    """At most ``count`` hits of ``scope`` per key within ``window``."""

    scope: str
    count: int
    window: timedelta


def keyed_hash(raw_key: str) -> str:
    return sealed.keyed_hash(raw_key, purpose="throttle")


class DatabaseStore:
    """Hits as rows of ``model`` (fields ``scope``, ``key``, ``created_at``): a sliding window."""

    def __init__(self, model, *, retention: timedelta = timedelta(days=1), prune_one_in: int = 50):
        self.model = model
        self.retention = retention
        self.prune_one_in = prune_one_in

    def hit(self, limit: Limit, raw_key: str) -> None:
        now = timezone.now()
        self.model.objects.create(scope=limit.scope, key=keyed_hash(raw_key), created_at=now)
        # Keep the table small without a separate job: now and then, old hits go
        # as new ones come (every time would add a write to every submission).
        if secrets.randbelow(self.prune_one_in) == 0:
            self.model.objects.filter(created_at__lt=now - self.retention).delete()

    def retry_after(self, limit: Limit, raw_key: str) -> int:
        """Seconds until ``raw_key`` may try again under ``limit``; 0 when it may now."""
        since = timezone.now() - limit.window
        hits = list(
            self.model.objects.filter(scope=limit.scope, key=keyed_hash(raw_key), created_at__gte=since)
            .order_by("-created_at")
            .values_list("created_at", flat=True)[: limit.count]
        )
        if len(hits) < limit.count:
            return 0
        # Free again when the oldest of the last `count` hits leaves the window.
        free_at = hits[-1] + limit.window
        return max(1, int((free_at - timezone.now()).total_seconds()) + 1)

    def take(self, limit: Limit, raw_key: str) -> int:
        """Count a hit unless the limit is reached; returns the seconds to wait (0: counted, go on)."""
        if seconds := self.retry_after(limit, raw_key):
            return seconds
        self.hit(limit, raw_key)
        return 0


class CacheStore:
    """Hits counted per fixed window in a cache: one increment per hit, nothing written to the database.

    A cache that is down or has lost the counter lets the hit through: this
    store is for limits where a brief lapse is better than refusing everyone.
    """

    def __init__(self, alias: str = "default"):
        self.alias = alias

    def _slot(self, limit: Limit) -> tuple[int, int, int]:
        window = max(1, int(limit.window.total_seconds()))
        now = int(time.time())
        return now // window, window, now

    def _key(self, limit: Limit, raw_key: str, slot: int) -> str:
        return f"rate:{limit.scope}:{keyed_hash(raw_key)}:{slot}"

    def _count(self, limit: Limit, raw_key: str, *, add: int) -> tuple[int, int]:
        cache = caches[self.alias]
        slot, window, now = self._slot(limit)
        key = self._key(limit, raw_key, slot)
        if add:
            cache.add(key, 0, window + 5)
            try:
                count = cache.incr(key, add)
            except ValueError:  # evicted between add and incr, or the cache is down
                cache.set(key, add, window + 5)
                count = add
        else:
            count = cache.get(key, 0)
        return count, max(1, (slot + 1) * window - now)

    def hit(self, limit: Limit, raw_key: str) -> None:
        self._count(limit, raw_key, add=1)

    def retry_after(self, limit: Limit, raw_key: str) -> int:
        count, seconds = self._count(limit, raw_key, add=0)
        return seconds if count >= limit.count else 0

    def take(self, limit: Limit, raw_key: str) -> int:
        """Count this hit; returns the seconds until the window ends when it was one too many (else 0)."""
        count, seconds = self._count(limit, raw_key, add=1)
        return seconds if count > limit.count else 0


class RedisFirstStore:
    """A sliding window in Redis (one sorted set of hit times per key), else ``fallback``.

    Used when the cache alias is a :class:`portal.lib.cache.ResilientRedisCache`
    that is up; any other cache (the embedded default), a Redis that is being
    left alone after a failure, or a failure during the call sends the call to
    ``fallback`` (a :class:`DatabaseStore`), so the limit never lapses with Redis.
    """

    def __init__(self, fallback: DatabaseStore, *, alias: str = "default"):
        self.fallback = fallback
        self.alias = alias

    def _redis(self):
        cache = caches[self.alias]
        redis_client = getattr(cache, "redis_client", None)
        return cache, (redis_client() if redis_client is not None else None)

    def _key(self, cache, limit: Limit, raw_key: str) -> str:
        return cache.make_and_validate_key(f"rate-window:{limit.scope}:{keyed_hash(raw_key)}")

    def hit(self, limit: Limit, raw_key: str) -> None:
        cache, client = self._redis()
        if client is not None:
            now, window = time.time(), limit.window.total_seconds()
            key = self._key(cache, limit, raw_key)
            # One trip: add this hit, drop those that left the window, let an idle key expire.
            pipe = client.pipeline(transaction=False)
            pipe.zadd(key, {f"{now:.6f}:{secrets.token_hex(4)}": now})
            pipe.zremrangebyscore(key, "-inf", now - window)
            pipe.expire(key, int(window) + 1)
            try:
                pipe.execute()
                return
            except _REDIS_FAILURES as exc:
                cache.mark_down(exc)
        self.fallback.hit(limit, raw_key)

    def retry_after(self, limit: Limit, raw_key: str) -> int:
        """Seconds until ``raw_key`` may try again under ``limit``; 0 when it may now."""
        cache, client = self._redis()
        if client is not None:
            now, window = time.time(), limit.window.total_seconds()
            try:
                # The count-th newest hit inside the window, if there are that many.
                key = self._key(cache, limit, raw_key)
                nth = client.zrevrangebyscore(key, "+inf", now - window, start=limit.count - 1, num=1, withscores=True)
            except _REDIS_FAILURES as exc:
                cache.mark_down(exc)
            else:
                if not nth:
                    return 0
                return max(1, int(nth[0][1] + window - now) + 1)
        return self.fallback.retry_after(limit, raw_key)

    def take(self, limit: Limit, raw_key: str) -> int:
        """Count a hit unless the limit is reached; returns the seconds to wait (0: counted, go on)."""
        if seconds := self.retry_after(limit, raw_key):
            return seconds
        self.hit(limit, raw_key)
        return 0
