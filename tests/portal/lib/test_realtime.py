"""portal.lib.realtime: events leave after commit, and a broken layer never breaks a request."""

import asyncio
import logging

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import channel_layers, get_channel_layer
from django.db import transaction

from portal.lib.realtime import broadcast, group_name, listening, mark_listening

pytestmark = pytest.mark.django_db


def heard(group: str, callbacks) -> list:
    """What a subscriber of ``group`` hears before and after ``callbacks`` (the commit) run.

    Subscribing and receiving happen in one event loop, as in a consumer: the
    Redis layer ties channels to the loop that made them, and a cancelled
    receive unsubscribes, so one receive is kept waiting throughout.
    """

    async def scenario():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        receiving = asyncio.ensure_future(layer.receive(channel))
        await asyncio.sleep(0.2)
        before = receiving.result() if receiving.done() else None
        for callback in callbacks:
            await sync_to_async(callback)()
        done, _ = await asyncio.wait({receiving}, timeout=2.0)
        after = receiving.result() if done and before is None else None
        receiving.cancel()
        await layer.group_discard(group, channel)
        return [before, after]

    return async_to_sync(scenario)()


@pytest.mark.smoke
def test_an_event_is_sent_only_after_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        broadcast("case.1.public", "status", {"status": "acknowledged"})
    assert len(callbacks) == 1
    before, after = heard("case.1.public", callbacks)
    assert before is None
    assert after == {"type": "portal.event", "event": "status", "payload": {"status": "acknowledged"}}


def test_a_rolled_back_change_is_never_announced(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        try:
            with transaction.atomic():
                broadcast("case.2.public", "status", {"status": "resolved"})
                raise RuntimeError("the service failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert heard("case.2.public", callbacks) == [None, None]


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
        with caplog.at_level(logging.ERROR, logger="portal.lib.realtime"):
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


def test_a_send_from_another_thread_is_delivered_on_the_servers_loop():
    """The embedded worker's threads: the in-memory layer's queues belong to the server's event loop."""
    import threading

    from portal.lib import realtime

    async def scenario():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add("queue.77", channel)
        realtime.use_server_loop(asyncio.get_running_loop())
        try:
            sent = {}
            worker = threading.Thread(
                target=lambda: sent.setdefault(
                    "ok", realtime.send_now("queue.77", {"type": "portal.event", "event": "x", "payload": {}})
                )
            )
            worker.start()
            message = await asyncio.wait_for(layer.receive(channel), timeout=3)
            await asyncio.to_thread(worker.join, 3)
        finally:
            realtime.use_server_loop(None)
            await layer.group_discard("queue.77", channel)
        return sent["ok"], message

    assert async_to_sync(scenario)() == (True, {"type": "portal.event", "event": "x", "payload": {}})


def test_a_payload_that_fails_to_render_is_logged_and_never_raised(django_capture_on_commit_callbacks, caplog):
    from portal.lib.realtime import broadcast_built

    def broken():
        raise RuntimeError("template missing")

    with caplog.at_level(logging.ERROR, logger="portal.lib.realtime"):
        with django_capture_on_commit_callbacks(execute=True):
            broadcast_built(broken)
    assert "could not be built" in caplog.text


def test_only_groups_a_socket_said_it_listens_to_are_listened_to():
    mark_listening("case.7.public.th")
    mark_listening("case.7.public.vi")
    groups = ["case.7.public.en", "case.7.public.vi", "case.7.public.th"]
    assert listening(groups) == ["case.7.public.vi", "case.7.public.th"]
    assert listening([]) == []


def test_listening_says_it_cannot_tell_while_the_shared_cache_is_down(monkeypatch):
    from django.core.cache import cache

    mark_listening("queue.1.en")
    assert listening(["queue.1.en", "queue.1.th"]) == ["queue.1.en"]
    monkeypatch.setattr(cache, "unavailable", lambda: True, raising=False)
    assert listening(["queue.1.en", "queue.1.th"]) is None
