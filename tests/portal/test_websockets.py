"""The websocket stack: foreign origins refused, streams joined only after a permission check."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client

from portal.asgi import application
from portal.consumers import CLOSE_FORBIDDEN, CLOSE_TOO_MANY, user_group
from portal.lib.realtime import send_now

pytestmark = pytest.mark.django_db(transaction=True)


def session_cookie(client, user) -> bytes:
    client.force_login(user)
    return f"{django_settings.SESSION_COOKIE_NAME}={client.cookies[django_settings.SESSION_COOKIE_NAME].value}".encode()


def connect(path: str, *, origin: bytes | None = b"http://localhost", cookie: bytes | None = None):
    headers = [(b"host", b"localhost")]
    if origin is not None:
        headers.append((b"origin", origin))
    if cookie is not None:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, path, headers=headers)


@pytest.mark.smoke
def test_a_websocket_from_a_foreign_origin_is_refused(client, beneficiary):
    cookie = session_cookie(client, beneficiary)

    async def scenario():
        communicator = connect("/ws/my/", origin=b"https://evil.example", cookie=cookie)
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return connected

    assert async_to_sync(scenario)() is False


def test_an_anonymous_socket_is_accepted_then_closed_with_4403():
    # A refused handshake reaches a browser as 1006, indistinguishable from a
    # dropped network, and the page would retry for ever: accept, then close.
    async def scenario():
        communicator = connect("/ws/my/")
        connected, _ = await communicator.connect()
        closed = await communicator.receive_output(timeout=2)
        await communicator.disconnect()
        return connected, closed

    assert async_to_sync(scenario)() == (True, {"type": "websocket.close", "code": CLOSE_FORBIDDEN})


def test_a_signed_in_person_receives_only_their_own_events(client, beneficiary, union_rep):
    cookie = session_cookie(client, beneficiary)

    async def scenario():
        communicator = connect("/ws/my/", cookie=cookie)
        connected, _ = await communicator.connect()
        assert connected
        # Someone else's event first: it must not arrive.
        from asgiref.sync import sync_to_async

        await sync_to_async(send_now)(user_group(union_rep.pk), {"type": "portal.event", "event": "x", "payload": {}})
        await sync_to_async(send_now)(
            user_group(beneficiary.pk), {"type": "portal.event", "event": "case.updated", "payload": {"ref": "SU-1"}}
        )
        message = await communicator.receive_json_from(timeout=2)
        assert await communicator.receive_nothing(timeout=0.2)
        await communicator.disconnect()
        return message

    assert async_to_sync(scenario)() == {"event": "case.updated", "payload": {"ref": "SU-1"}}


def at(communicator: WebsocketCommunicator, address: str) -> WebsocketCommunicator:
    communicator.scope["client"] = (address, 50000)
    return communicator


async def closed_with(communicator: WebsocketCommunicator) -> int | None:
    """The close code of a socket that was accepted and then closed; None while it stays open."""
    if await communicator.receive_nothing(timeout=0.3):
        return None
    message = await communicator.receive_output()
    return message.get("code") if message["type"] == "websocket.close" else None


def test_sockets_past_the_limit_per_session_are_closed_with_4429(client, beneficiary, settings):
    settings.SUARA_WS_MAX_PER_SESSION = 3
    cookie = session_cookie(client, beneficiary)

    async def scenario():
        open_ones = []
        for _ in range(3):
            communicator = at(connect("/ws/my/", cookie=cookie), f"198.51.100.{len(open_ones)}")
            assert (await communicator.connect())[0] and await closed_with(communicator) is None
            open_ones.append(communicator)
        # A new address does not help: the session has its three.
        extra = at(connect("/ws/my/", cookie=cookie), "198.51.100.99")
        assert (await extra.connect())[0]
        refused = await closed_with(extra)
        # One closes, and a new one fits again.
        await open_ones.pop().disconnect()
        again = at(connect("/ws/my/", cookie=cookie), "198.51.100.100")
        assert (await again.connect())[0]
        admitted = await closed_with(again) is None
        for communicator in [*open_ones, again]:
            await communicator.disconnect()
        return refused, admitted

    assert async_to_sync(scenario)() == (CLOSE_TOO_MANY, True)


def test_sockets_past_the_limit_per_address_are_closed_with_4429(beneficiary, union_rep, officer, settings):
    settings.SUARA_WS_MAX_PER_ADDRESS = 2
    cookies = [session_cookie(Client(), user) for user in (beneficiary, union_rep, officer)]

    async def scenario():
        first = at(connect("/ws/my/", cookie=cookies[0]), "203.0.113.5")
        second = at(connect("/ws/my/", cookie=cookies[1]), "203.0.113.5")
        third = at(connect("/ws/my/", cookie=cookies[2]), "203.0.113.5")
        elsewhere = at(connect("/ws/my/", cookie=cookies[2]), "203.0.113.6")
        codes = []
        for communicator in (first, second, third, elsewhere):
            assert (await communicator.connect())[0]
            codes.append(await closed_with(communicator))
        for communicator in (first, second, third, elsewhere):
            await communicator.disconnect()
        return codes

    assert async_to_sync(scenario)() == [None, None, CLOSE_TOO_MANY, None]
