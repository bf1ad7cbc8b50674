"""portal.realtime: events leave after commit, and a broken layer never breaks a request."""

import logging

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers, get_channel_layer
from django.db import transaction

from portal.realtime import broadcast, group_name

pytestmark = pytest.mark.django_db


def listen(group: str) -> str:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, channel)
    return channel


def receive(channel: str, timeout: float = 1.0):
    import asyncio

    layer = get_channel_layer()

    async def bounded():
        try:
            return await asyncio.wait_for(layer.receive(channel), timeout)
        except TimeoutError:
            return None

    return async_to_sync(bounded)()


@pytest.mark.smoke
def test_an_event_is_sent_only_after_the_transaction_commits(django_capture_on_commit_callbacks):
    channel = listen("case.1.public")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        broadcast("case.1.public", "status", {"status": "acknowledged"})
    assert receive(channel, timeout=0.1) is None  # nothing before commit
    for callback in callbacks:
        callback()
    assert receive(channel) == {"type": "portal.event", "event": "status", "payload": {"status": "acknowledged"}}


def test_a_rolled_back_change_is_never_announced(django_capture_on_commit_callbacks):
    channel = listen("case.2.public")
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                broadcast("case.2.public", "status", {"status": "resolved"})
                raise RuntimeError("the service failed")
        except RuntimeError:
            pass
    assert receive(channel, timeout=0.1) is None


@pytest.mark.services
def test_a_channel_layer_that_is_down_is_logged_and_never_raised(settings, django_capture_on_commit_callbacks, caplog):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:1/0", "socket_connect_timeout": 0.5}]},
        }
    }
    channel_layers.backends.clear()
    try:
        with caplog.at_level(logging.ERROR, logger="portal.realtime"):
            with django_capture_on_commit_callbacks(execute=True):
                broadcast("case.3.staff", "note", {"id": 1})
        assert "not delivered" in caplog.text
    finally:
        channel_layers.backends.clear()


def test_group_names_are_validated():
    assert group_name("queue", 7) == "queue.7"
    with pytest.raises(ValueError):
        group_name("case", "<script>")
    with pytest.raises(ValueError):
        broadcast("case 1", "status")
