"""The one way Suara broadcasts an event to websocket groups.

Services call :func:`broadcast` inside their transaction; the message leaves
only after the transaction commits, so nobody hears of a change that was
rolled back. A channel layer that is down or slow is logged and never raised
into the request: the case is saved either way, and clients catch up on
reconnect.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import threading
from collections.abc import Callable
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.core.cache import cache
from django.db import transaction

from portal.lib.observability import context, metrics

logger = logging.getLogger(__name__)

SEND_TIMEOUT_SECONDS = 2.0
# Channels accepts ASCII letters, digits, hyphens, underscores and periods.
_GROUP_RE = re.compile(r"^[A-Za-z0-9._-]{1,99}$")


def group_name(*parts: object) -> str:
    """``group_name("case", 42, "public")`` → ``"case.42.public"``, validated."""
    name = ".".join(str(part) for part in parts)
    if not _GROUP_RE.match(name):
        raise ValueError(f"invalid group name {name!r}")
    return name


# How long a group counts as listened to after a socket said it listens. A
# socket that stays longer says so again (``mark_listening`` on its re-checks).
LISTENING_SECONDS = 24 * 60 * 60


def _listening_key(group: str) -> str:
    return f"realtime.listening:{group}"


def mark_listening(group: str) -> None:
    """A socket has joined ``group``: payloads for it are worth building (see :func:`listening`).

    Channel layers do not say who is in a group, so the sockets say it here,
    in the shared cache. Stale entries cost a payload nobody reads, no more.
    """
    cache.set(_listening_key(group), 1, LISTENING_SECONDS)


def listening(groups: list[str]) -> list[str] | None:
    """Those of ``groups`` some socket joined lately, in the given order: one trip to the cache.

    None when the cache cannot say (a shared cache that is down): the caller
    then renders for its likely readers rather than for nobody.
    """
    if not groups:
        return []
    unavailable = getattr(cache, "unavailable", None)
    if unavailable is not None and unavailable():
        return None
    found = cache.get_many([_listening_key(group) for group in groups])
    if unavailable is not None and unavailable():  # went down during the read
        return None
    return [group for group in groups if _listening_key(group) in found]


def broadcast(group: str, event: str, payload: dict | None = None, *, using: str | None = None) -> None:
    """Send ``event`` with ``payload`` to ``group`` once the current transaction commits.

    Consumers receive ``{"type": "portal.event", "event": event, "payload": payload}``
    and dispatch it to their ``portal_event`` handler.
    """
    broadcast_many([(group, event, payload)], using=using)


def broadcast_many(events: list[tuple[str, str, dict | None]], *, using: str | None = None) -> None:
    """Several ``(group, event, payload)`` after commit, sent together in one trip to the layer."""
    deliveries = []
    for group, event, payload in events:
        if not _GROUP_RE.match(group):
            raise ValueError(f"invalid group name {group!r}")
        deliveries.append((group, _message(event, payload)))
    transaction.on_commit(partial(send_many_now, deliveries), using=using)


def broadcast_built(build: Callable[[], list[tuple[str, str, dict | None]]], *, using: str | None = None) -> None:
    """After commit, call ``build()`` and send the ``(group, event, payload)`` it returns.

    For payloads that must be rendered from committed rows (the timeline
    fragment of an event whose attachments are saved later in the same
    transaction). A failing build is logged like a failing layer: the change
    is committed either way and clients catch up on reconnect.
    """
    transaction.on_commit(partial(send_built, build), using=using)


def send_built(build: Callable[[], list[tuple[str, str, dict | None]]]) -> bool:
    """Call ``build()`` now and send what it returns; a failing build is logged, never raised."""
    try:
        events = build()
    except Exception:
        logger.exception("Live update could not be built; clients will catch up on reconnect")
        return False
    deliveries = []
    for group, event, payload in events:
        if not _GROUP_RE.match(group):
            logger.error("Invalid group name %r; event %s dropped", group, event)
            continue
        deliveries.append((group, _message(event, payload)))
    return send_many_now(deliveries) if deliveries else True


def _message(event: str, payload: dict | None) -> dict:
    # The request id rides along so that the websocket server logs the send
    # under the id of the request (or task) that changed the case.
    message = {"type": "portal.event", "event": event, "payload": payload or {}}
    request_id = context.current()
    if request_id:
        message["request_id"] = request_id
    return message


# The event loop of the ASGI server this process runs, when it runs one. The
# in-memory layer's queues belong to that loop: a send from another thread
# (the embedded task worker, a background command) must be scheduled onto it,
# never run on a loop of its own.
_server_loop: asyncio.AbstractEventLoop | None = None


def use_server_loop(loop: asyncio.AbstractEventLoop | None) -> None:
    """Called by the ASGI lifespan handler: sends from other threads go through ``loop``."""
    global _server_loop
    _server_loop = loop


_sender: tuple[int, asyncio.AbstractEventLoop] | None = None
_sender_lock = threading.Lock()


def _sender_loop() -> asyncio.AbstractEventLoop:
    """This process's own sending loop, in a daemon thread (started on first use, again after a fork).

    Without it every send from sync code (a WSGI request, the task worker)
    would run on a new event loop, and the Redis layer, which keeps its
    connections per loop, would connect to Redis each time.
    """
    global _sender
    with _sender_lock:
        if _sender is None or _sender[0] != os.getpid() or _sender[1].is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="suara-realtime-sender", daemon=True).start()
            _sender = (os.getpid(), loop)
        return _sender[1]


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def send_now(group: str, message: dict) -> bool:
    """Send ``message`` to ``group`` immediately; True when the layer took it."""
    return send_many_now([(group, message)])


def send_many_now(deliveries: list[tuple[str, dict]]) -> bool:
    """Send each ``(group, message)`` immediately; True when the layer took them all.

    One event loop for all of them: from a sync worker, each async_to_sync
    call costs a loop and, with Redis, a connection.
    """
    layer = get_channel_layer()
    if layer is None:
        logger.warning("No channel layer configured; %d events dropped", len(deliveries))
        return False
    loop = _server_loop
    try:
        if loop is None and not isinstance(layer, InMemoryChannelLayer):
            # The in-memory layer's queues belong to the loop that reads them
            # (tests, a single process): it is sent to from the caller's side.
            loop = _sender_loop()
        if loop is not None and _running_loop() is not loop:
            future = asyncio.run_coroutine_threadsafe(_send_all(layer, deliveries), loop)
            future.result(timeout=SEND_TIMEOUT_SECONDS + 1)
        else:
            async_to_sync(_send_all)(layer, deliveries)
    except Exception:
        groups = ", ".join(group for group, _ in deliveries)
        metrics.CHANNEL_LAYER_FAILURES.inc()
        logger.exception("Channel layer failed; events for %s not delivered", groups)
        return False
    return True


async def _send_all(layer, deliveries: list[tuple[str, dict]]) -> None:
    sends = [layer.group_send(group, message) for group, message in deliveries]
    await asyncio.wait_for(asyncio.gather(*sends), timeout=SEND_TIMEOUT_SECONDS)
