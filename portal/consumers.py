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
from importlib import import_module

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from portal.lib.realtime import group_name, send_now

logger = logging.getLogger(__name__)

# 4403 mirrors HTTP 403: the socket was refused by a permission check, or
# the access it was opened with has ended.
CLOSE_FORBIDDEN = 4403


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


def fresh_session(scope):
    """The socket's session re-read from the store now (a signed-out session reads empty)."""
    engine = import_module(settings.SESSION_ENGINE)
    session = scope.get("session")
    return engine.SessionStore(getattr(session, "session_key", None))


class GatedStreamConsumer(AsyncJsonWebsocketConsumer):
    """A stream that checks before it joins, and leaves when the session ends.

    Subclasses implement ``admit()`` (async): the groups this socket may join,
    or ``None`` to refuse it with 4403. Nothing is joined before it answers.
    """

    groups: list[str] = []

    async def connect(self) -> None:
        self.joined: list[str] = []
        groups = await self.admit()
        if groups is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        session = self.scope.get("session")
        session_key = getattr(session, "session_key", None)
        if session_key:
            groups = [*groups, session_group(session_key)]
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
            self.joined.append(group)
        await self.accept()

    async def admit(self) -> list[str] | None:  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    async def decode_json(cls, text_data):
        # A client that sends something else than JSON is ignored, not answered with a crash.
        try:
            return json.loads(text_data)
        except ValueError:
            return None

    async def disconnect(self, code: int) -> None:
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
