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
import re
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

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
        deliveries.append((group, {"type": "portal.event", "event": event, "payload": payload or {}}))
    transaction.on_commit(partial(send_many_now, deliveries), using=using)


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
    try:
        async_to_sync(_send_all)(layer, deliveries)
    except Exception:
        groups = ", ".join(group for group, _ in deliveries)
        logger.exception("Channel layer failed; events for %s not delivered", groups)
        return False
    return True


async def _send_all(layer, deliveries: list[tuple[str, dict]]) -> None:
    sends = [layer.group_send(group, message) for group, message in deliveries]
    await asyncio.wait_for(asyncio.gather(*sends), timeout=SEND_TIMEOUT_SECONDS)
