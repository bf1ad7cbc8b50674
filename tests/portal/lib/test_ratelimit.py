"""portal.lib.ratelimit: one interface, a database store that survives the cache, a cache store per request."""

from datetime import timedelta

import pytest
from django.core.cache import cache, caches
from django.test import override_settings
from django.utils import timezone

from grievances.models import ThrottleHit
from portal.lib.ratelimit import CacheStore, DatabaseStore, Limit

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
