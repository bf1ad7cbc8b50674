"""A Redis cache that degrades gracefully when Redis is down.

Wagtail and allauth read the cache on almost every request. With Django's
plain RedisCache a stopped Redis turns every page into a 500; here a failure
is logged, the call answers as if the key were absent, and Redis is left
alone for a few seconds before it is tried again. ``/readyz`` still reports
the outage through :meth:`ResilientRedisCache.ping`.

"Absent" is the right answer for cached data but the wrong one for locks and
counters: a rate limiter that takes a refused ``add()`` as "someone holds the
lock" refuses everyone. Keys starting with one of ``OPTIONS["LOCAL_FALLBACK_PREFIXES"]``
are therefore kept in a per-process memory cache while Redis is away: each
process counts on its own, which limits less tightly than one shared count
but keeps limiting and keeps the door open.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0
_FAILURES = (RedisConnectionError, RedisTimeoutError, OSError)
_MISSING = object()


class OneClientPerPool(RedisCacheClient):
    """Django's client makes a new ``redis.Redis`` for every cache call, and redis-py fills a
    table of some eighty reply handlers for each: about a millisecond of CPU per page that
    reads the cache a few times. A ``redis.Redis`` is safe to share between threads (each
    command borrows a connection from the pool), so one per pool is kept and reused."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    _down_until = 0.0

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.fallback_prefixes = tuple(options.pop("LOCAL_FALLBACK_PREFIXES", ()))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = OneClientPerPool
        # LocMemCache instances with one name share their storage, so every
        # thread's copy of this backend sees the same per-process fallback.
        self._fallback = LocMemCache(f"suara-redis-fallback:{self.key_prefix}", {"OPTIONS": {"MAX_ENTRIES": 10000}})

    @classmethod
    def unavailable(cls) -> bool:
        """True while Redis is being left alone after a failure."""
        return time.monotonic() < cls._down_until

    def ping(self) -> bool:
        """Ask Redis directly; raises when it cannot be reached."""
        return self._cache.get_client(write=True).ping()

    def redis_client(self):
        """The shared ``redis.Redis`` for callers that need more than get/set (a sorted set), or
        None while Redis is being left alone; such callers report a failure with :meth:`mark_down`."""
        if self.unavailable():
            return None
        return self._cache.get_client(write=True)

    def mark_down(self, exc) -> None:
        """A caller of :meth:`redis_client` found Redis unreachable: every user of the cache rests it."""
        self._mark_down(exc)

    def _falls_back(self, key) -> bool:
        return bool(self.fallback_prefixes) and isinstance(key, str) and key.startswith(self.fallback_prefixes)

    def _mark_down(self, exc) -> None:
        type(self)._down_until = time.monotonic() + RETRY_AFTER_SECONDS
        logger.warning("Cache unavailable (%s); serving without it for %ss", exc, RETRY_AFTER_SECONDS)

    def _guarded(self, name: str, default, *args, key=_MISSING, **kwargs):
        fallback = key is not _MISSING and self._falls_back(key)
        if not self.unavailable():
            try:
                return getattr(super(), name)(*args, **kwargs)
            except _FAILURES as exc:
                self._mark_down(exc)
        if fallback:
            return getattr(self._fallback, name)(*args, **kwargs)
        return default

    def get(self, key, default=None, version=None):
        return self._guarded("get", default, key, default, version, key=key)

    def get_many(self, keys, version=None):
        return self._guarded("get_many", {}, keys, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("set", None, key, value, timeout, version, key=key)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("add", False, key, value, timeout, version, key=key)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("set_many", list(data), data, timeout, version)

    def delete(self, key, version=None):
        if self._falls_back(key):
            # A lock taken while Redis was away must not outlive its holder
            # when Redis returns before the holder lets go.
            self._fallback.delete(key, version)
        return self._guarded("delete", False, key, version, key=key)

    def delete_many(self, keys, version=None):
        return self._guarded("delete_many", None, keys, version)

    def has_key(self, key, version=None):
        return self._guarded("has_key", False, key, version, key=key)

    def incr(self, key, delta=1, version=None):
        result = self._guarded("incr", _MISSING, key, delta, version, key=key)
        if result is _MISSING:
            raise ValueError(f"Key '{key}' not found (cache unavailable)")
        return result

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("touch", False, key, timeout, version, key=key)

    def clear(self):
        self._fallback.clear()
        return self._guarded("clear", None)
