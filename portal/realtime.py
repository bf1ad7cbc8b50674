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
    if not _GROUP_RE.match(group):
        raise ValueError(f"invalid group name {group!r}")
    message = {"type": "portal.event", "event": event, "payload": payload or {}}
    transaction.on_commit(partial(send_now, group, message), using=using)


def send_now(group: str, message: dict) -> bool:
    """Send ``message`` to ``group`` immediately; True when the layer took it."""
    layer = get_channel_layer()
    if layer is None:
        logger.warning("No channel layer configured; event for %s dropped", group)
        return False
    try:
        async_to_sync(_send_with_timeout)(layer, group, message)
    except Exception:
        logger.exception("Channel layer failed; event for group %s not delivered", group)
        return False
    return True


async def _send_with_timeout(layer, group: str, message: dict) -> None:
    await asyncio.wait_for(layer.group_send(group, message), timeout=SEND_TIMEOUT_SECONDS)
