"""A Redis cache that degrades to "always a miss" when Redis is down.

Wagtail and allauth read the cache on almost every request. With Django's
plain RedisCache a stopped Redis turns every page into a 500; here a failure
is logged, the call answers as if the key were absent, and Redis is left
alone for a few seconds before it is tried again. ``/healthz`` still reports
the outage through :meth:`ResilientRedisCache.ping`.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0
_FAILURES = (RedisConnectionError, RedisTimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    _down_until = 0.0

    def ping(self) -> bool:
        """Ask Redis directly; raises when it cannot be reached."""
        return self._cache.get_client(write=True).ping()

    def _guarded(self, name: str, default, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return default
        try:
            return getattr(super(), name)(*args, **kwargs)
        except _FAILURES as exc:
            type(self)._down_until = time.monotonic() + RETRY_AFTER_SECONDS
            logger.warning("Cache unavailable (%s); serving without it for %ss", exc, RETRY_AFTER_SECONDS)
            return default

    def get(self, key, default=None, version=None):
        return self._guarded("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._guarded("get_many", {}, keys, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("set", None, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("add", False, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("set_many", list(data), data, timeout, version)

    def delete(self, key, version=None):
        return self._guarded("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._guarded("delete_many", None, keys, version)

    def has_key(self, key, version=None):
        return self._guarded("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        if time.monotonic() < self._down_until:
            raise ValueError(f"Key '{key}' not found (cache unavailable)")
        try:
            return super().incr(key, delta, version)
        except _FAILURES as exc:
            type(self)._down_until = time.monotonic() + RETRY_AFTER_SECONDS
            logger.warning("Cache unavailable (%s)", exc)
            raise ValueError(f"Key '{key}' not found (cache unavailable)") from exc

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("touch", False, key, timeout, version)

    def clear(self):
        return self._guarded("clear", None)
