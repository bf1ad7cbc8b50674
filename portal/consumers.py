"""Websocket streams every app shares: the person's own stream, and the rules all streams follow.

Every stream is joined only after a permission check, and every stream ends
when its session does: ``AuthMiddlewareStack`` resolves the user once, at
connect, so a sign-out elsewhere would not close an open socket by itself.
Each socket therefore also joins its session's group (a hash of the session
key), and signing out sends that group ``session.ended`` (see
:func:`end_session_streams`, connected to ``user_logged_out``).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from importlib import import_module

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from portal.lib.observability import context, metrics
from portal.lib.realtime import group_name, send_now

logger = logging.getLogger(__name__)
send_log = logging.getLogger("suara.websocket")

# 4403 mirrors HTTP 403: the socket was refused by a permission check, or
# the access it was opened with has ended.
CLOSE_FORBIDDEN = 4403
# 4429 mirrors HTTP 429: too many sockets open from this session or address.
CLOSE_TOO_MANY = 4429

# Sockets open in this process, per session and per client address. Counted in
# memory, not in the cache: the count is only meaningful while this process
# holds the sockets, and it costs nothing per connection.
_open_sockets: Counter[tuple[str, str]] = Counter()


def user_group(user_id: int) -> str:
    return group_name("user", user_id)


def session_group(session_key: str) -> str:
    """The group of every socket opened with this session; the key itself never leaves the server."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{session_key}".encode()).hexdigest()[:40]
    return group_name("session", digest)


def end_session_streams(sender=None, request=None, **kwargs) -> None:
    """``user_logged_out`` receiver: close every socket opened with the session being ended."""
    session = getattr(request, "session", None)
    session_key = getattr(session, "session_key", None)
    if session_key:
        send_now(session_group(session_key), {"type": "session.ended"})


def client_address(scope) -> str:
    """The socket's client address, trusting as many proxies as TRUSTED_PROXY_COUNT says (as for pages)."""
    proxies = settings.ALLAUTH_TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = b",".join(value for name, value in scope.get("headers", []) if name == b"x-forwarded-for")
        chain = [part.strip() for part in forwarded.decode("latin-1").split(",") if part.strip()]
        # A chain shorter than our own proxies is forged or broken: share one allowance.
        return chain[-proxies] if len(chain) >= proxies else "unknown"
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def socket_counters(scope) -> list[tuple[tuple[str, str], int]]:
    """The counters a socket counts against, each with its limit."""
    counters = [(("address", client_address(scope)), settings.SUARA_WS_MAX_PER_ADDRESS)]
    session_key = getattr(scope.get("session"), "session_key", None)
    if session_key:
        counters.append((("session", session_group(session_key)), settings.SUARA_WS_MAX_PER_SESSION))
    return counters


def fresh_session(scope):
    """The socket's session re-read from the store now (a signed-out session reads empty)."""
    engine = import_module(settings.SESSION_ENGINE)
    session = scope.get("session")
    return engine.SessionStore(getattr(session, "session_key", None))


class GatedStreamConsumer(AsyncJsonWebsocketConsumer):
    """A stream that checks before it joins, and leaves when the session ends.

    Subclasses implement ``admit()`` (async): the groups this socket may join,
    or ``None`` to refuse it with 4403 (after accepting it, so that the browser
    sees the code). Nothing is joined before it answers.
    """

    groups: list[str] = []

    async def connect(self) -> None:
        self.joined: list[str] = []
        self.counted: list[tuple[str, str]] = []
        # Counted before the permission check: a flood of sockets must not
        # become a flood of database queries.
        counters = socket_counters(self.scope)
        if any(_open_sockets[key] >= limit for key, limit in counters):
            await self.refuse(CLOSE_TOO_MANY)
            return
        for key, _limit in counters:
            _open_sockets[key] += 1
            self.counted.append(key)
        try:
            groups = await self.admit()
        except BaseException:
            self.release_counters()
            raise
        if groups is None:
            self.release_counters()
            await self.refuse(CLOSE_FORBIDDEN)
            return
        session = self.scope.get("session")
        session_key = getattr(session, "session_key", None)
        if session_key:
            groups = [*groups, session_group(session_key)]
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
            self.joined.append(group)
        await self.accept()
        self.stream_label = type(self).__name__
        metrics.WEBSOCKETS.labels(stream=self.stream_label).inc()

    async def dispatch(self, message: dict) -> None:
        # A live update is handed to the socket under the id of the request
        # (or task) that caused it, so one id joins the three logs.
        request_id = message.get("request_id") if isinstance(message, dict) else None
        if not request_id:
            await super().dispatch(message)
            return
        with context.bound(request_id):
            send_log.info("websocket send %s", message.get("event"), extra={"stream": type(self).__name__})
            await super().dispatch(message)

    async def admit(self) -> list[str] | None:  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    async def decode_json(cls, text_data):
        # A client that sends something else than JSON is ignored, not answered with a crash.
        try:
            return json.loads(text_data)
        except ValueError:
            return None

    async def refuse(self, code: int) -> None:
        """Accept, then close with ``code``: a refused handshake would reach the browser only as 1006."""
        await self.accept()
        await self.close(code=code)

    def release_counters(self) -> None:
        for key in getattr(self, "counted", []):
            _open_sockets[key] -= 1
            if _open_sockets[key] <= 0:
                del _open_sockets[key]
        self.counted = []

    async def disconnect(self, code: int) -> None:
        self.release_counters()
        label = getattr(self, "stream_label", None)
        if label is not None:
            metrics.WEBSOCKETS.labels(stream=label).dec()
            self.stream_label = None
        for group in getattr(self, "joined", []):
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:
                # A leave that fails must not keep the socket; the layer expires it.
                logger.exception("Could not leave %s", group)
        self.joined = []

    async def revoke(self) -> None:
        """Access ended: leave every group and close with 4403."""
        await self.disconnect(CLOSE_FORBIDDEN)
        await self.close(code=CLOSE_FORBIDDEN)

    async def session_ended(self, message: dict) -> None:
        await self.revoke()


class PersonalStreamConsumer(GatedStreamConsumer):
    """``/ws/my/``: notifications for the signed-in person (group ``user.<id>``).

    Anonymous sockets are closed with 4403 before joining any group.
    """

    async def admit(self) -> list[str] | None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            return None
        return [user_group(user.pk)]

    async def receive_json(self, content, **kwargs) -> None:
        # Clients only listen on this stream.
        return None

    async def portal_event(self, message: dict) -> None:
        await self.send_json({"event": message["event"], "payload": message["payload"]})
