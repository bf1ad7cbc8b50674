"""The websocket stack: foreign origins refused, streams joined only after a permission check."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings

from portal.asgi import application
from portal.consumers import CLOSE_FORBIDDEN, user_group
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


def test_an_anonymous_socket_is_closed_with_4403():
    async def scenario():
        communicator = connect("/ws/my/")
        connected, code = await communicator.connect()
        await communicator.disconnect()
        return connected, code

    assert async_to_sync(scenario)() == (False, CLOSE_FORBIDDEN)


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
