"""The signed-in person's own stream: events addressed to them alone."""

from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from portal.realtime import group_name

# 4403 mirrors HTTP 403: the socket was refused by a permission check.
CLOSE_FORBIDDEN = 4403


def user_group(user_id: int) -> str:
    return group_name("user", user_id)


class PersonalStreamConsumer(AsyncJsonWebsocketConsumer):
    """``/ws/my/``: notifications for the signed-in person (group ``user.<id>``).

    Anonymous sockets are closed with 4403 before joining any group.
    """

    groups: list[str] = []

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        # Clients only listen on this stream.
        return None

    async def portal_event(self, message: dict) -> None:
        await self.send_json({"event": message["event"], "payload": message["payload"]})
