"""portal.lib.ratelimit: one interface, a database store that survives the cache, a cache store per request."""

from datetime import timedelta

import pytest
from django.core.cache import cache, caches
from django.test import override_settings
from django.utils import timezone

from grievances.models import ThrottleHit
from portal.lib.ratelimit import CacheStore, DatabaseStore, Limit, RedisFirstStore

THREE_AN_HOUR = Limit("test", 3, timedelta(hours=1))


@pytest.mark.django_db
def test_the_database_store_refuses_the_fourth_hit_and_says_how_long_to_wait():
    store = DatabaseStore(ThrottleHit)
    for _ in range(3):
        assert store.take(THREE_AN_HOUR, "203.0.113.9") == 0
    wait = store.take(THREE_AN_HOUR, "203.0.113.9")
    assert 3500 < wait <= 3601
    assert store.retry_after(THREE_AN_HOUR, "198.51.100.1") == 0  # another key is not affected


@pytest.mark.django_db
def test_the_database_store_frees_a_key_as_its_oldest_hit_leaves_the_window():
    store = DatabaseStore(ThrottleHit)
    for _ in range(3):
        store.hit(THREE_AN_HOUR, "key")
    ThrottleHit.objects.filter(pk=ThrottleHit.objects.order_by("pk").first().pk).update(
        created_at=timezone.now() - timedelta(hours=2)
    )
    assert store.retry_after(THREE_AN_HOUR, "key") == 0


@pytest.mark.django_db
def test_the_database_store_keeps_no_key_as_given():
    DatabaseStore(ThrottleHit).hit(THREE_AN_HOUR, "203.0.113.9")
    assert not ThrottleHit.objects.filter(key__contains="203.0.113.9").exists()


@pytest.mark.django_db
def test_the_database_store_holds_its_limit_when_the_cache_is_emptied():
    store = DatabaseStore(ThrottleHit)
    for _ in range(3):
        store.hit(THREE_AN_HOUR, "key")
    cache.clear()
    assert store.retry_after(THREE_AN_HOUR, "key") > 0


def test_the_cache_store_counts_per_window_and_refuses_past_the_limit():
    store = CacheStore()
    limit = Limit("test-cache", 2, timedelta(minutes=1))
    assert store.take(limit, "token:1") == 0
    assert store.take(limit, "token:1") == 0
    assert 1 <= store.take(limit, "token:1") <= 60
    assert store.retry_after(limit, "token:1") > 0
    assert store.take(limit, "token:2") == 0


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl"}})
def test_the_cache_store_keeps_no_key_as_given():
    CacheStore().hit(Limit("test-cache", 2, timedelta(minutes=1)), "203.0.113.9")
    keys = list(caches["default"]._cache)
    assert keys and not any("203.0.113.9" in key for key in keys)


# --- Redis first, the database while Redis is down ---------------------------------------


def _redis_first():
    return RedisFirstStore(DatabaseStore(ThrottleHit))


@pytest.mark.django_db
def test_the_redis_first_store_counts_in_redis_and_writes_no_row():
    store = _redis_first()
    for _ in range(3):
        assert store.take(THREE_AN_HOUR, "203.0.113.9") == 0
    assert 3500 < store.take(THREE_AN_HOUR, "203.0.113.9") <= 3601
    assert store.retry_after(THREE_AN_HOUR, "198.51.100.1") == 0
    assert not ThrottleHit.objects.exists()
    keys = cache.redis_client().keys("*rate-window*")
    assert keys and not any(b"203.0.113.9" in key for key in keys)


@pytest.mark.django_db
def test_the_redis_first_store_frees_a_key_as_its_oldest_hit_leaves_the_window(monkeypatch):
    from portal.lib import ratelimit

    store = _redis_first()
    start = ratelimit.time.time()
    for offset in (0, 600, 1200):
        monkeypatch.setattr(ratelimit.time, "time", lambda offset=offset: start + offset)
        store.hit(THREE_AN_HOUR, "key")
    monkeypatch.setattr(ratelimit.time, "time", lambda: start + 1800)
    assert 1790 < store.retry_after(THREE_AN_HOUR, "key") <= 1801  # the first hit leaves at +3600
    monkeypatch.setattr(ratelimit.time, "time", lambda: start + 3601)
    assert store.retry_after(THREE_AN_HOUR, "key") == 0


@pytest.mark.django_db
@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl"}})
def test_without_redis_the_redis_first_store_counts_in_the_database():
    store = _redis_first()
    for _ in range(3):
        store.hit(THREE_AN_HOUR, "key")
    assert ThrottleHit.objects.count() == 3
    assert store.retry_after(THREE_AN_HOUR, "key") > 0


@pytest.mark.django_db
def test_the_redis_first_store_keeps_limiting_in_the_database_while_redis_is_down(on_redis):
    store = _redis_first()
    store.hit(THREE_AN_HOUR, "key")  # counted in Redis
    on_redis.stop()
    for _ in range(3):
        assert store.take(THREE_AN_HOUR, "key") == 0  # the database counts afresh
    assert store.take(THREE_AN_HOUR, "key") > 0
    assert ThrottleHit.objects.count() == 3
