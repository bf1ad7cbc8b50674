import pytest
from channels.layers import channel_layers

from portal.lib.cache import ResilientRedisCache


def redis_settings(url: str) -> dict:
    """The cache and channel layer production builds from REDIS_URL, with short timeouts."""
    return {
        "CACHES": {
            "default": {
                "BACKEND": "portal.lib.cache.ResilientRedisCache",
                "LOCATION": url,
                "OPTIONS": {
                    "socket_connect_timeout": 1,
                    "socket_timeout": 1,
                    "LOCAL_FALLBACK_PREFIXES": ["allauth:rl:", "once:"],
                },
            }
        },
        "CHANNEL_LAYERS": {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [{"address": url, "socket_connect_timeout": 1}]},
            }
        },
    }


@pytest.fixture
def on_redis(settings, redis_server):
    """Point the cache and channel layer at a redis-server this test may stop."""
    for name, value in redis_settings(redis_server.url).items():
        setattr(settings, name, value)
    channel_layers.backends.clear()
    ResilientRedisCache._down_until = 0.0
    yield redis_server
    channel_layers.backends.clear()
    ResilientRedisCache._down_until = 0.0
