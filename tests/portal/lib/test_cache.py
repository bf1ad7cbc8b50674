"""The Redis cache: one client per pool, and still working after Redis went away and came back."""

import pytest
from django.core.cache import caches

from portal.lib.cache import ResilientRedisCache
from tests.conftest import RedisServer


@pytest.mark.services
def test_cache_calls_share_one_redis_client_which_recovers_after_redis_restarts(on_redis, tmp_path):
    cache = caches["default"]
    assert isinstance(cache, ResilientRedisCache)
    cache.set("greeting", "สวัสดี")
    # Django would build a new redis.Redis (and its reply table) for each call.
    assert cache._cache.get_client() is cache._cache.get_client(write=True)

    on_redis.stop()
    assert cache.get("greeting") is None  # served as absent while Redis is away
    (tmp_path / "again").mkdir()
    again = RedisServer(tmp_path / "again", port=on_redis.port)
    try:
        ResilientRedisCache._down_until = 0.0  # the few seconds' rest are over
        cache.set("greeting", "xin chào")
        assert cache.get("greeting") == "xin chào"
    finally:
        again.stop()
