"""The websocket server logs a live update under the request id that caused it, and counts open sockets."""

import logging

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from prometheus_client import REGISTRY

from portal.consumers import user_group
from portal.lib.realtime import send_now
from tests.portal.test_websockets import connect, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def open_sockets() -> float:
    return REGISTRY.get_sample_value("suara_websocket_connections", {"stream": "PersonalStreamConsumer"}) or 0.0


def test_a_send_is_logged_under_the_request_id_it_carries(client, beneficiary, caplog):
    cookie = session_cookie(client, beneficiary)
    before = open_sockets()

    async def scenario():
        communicator = connect("/ws/my/", cookie=cookie)
        connected, _ = await communicator.connect()
        assert connected
        during = open_sockets()
        message = {"type": "portal.event", "event": "case.updated", "payload": {}, "request_id": "req-0123456789"}
        await sync_to_async(send_now)(user_group(beneficiary.pk), message)
        received = await communicator.receive_json_from(timeout=2)
        await communicator.disconnect()
        return during, received

    with caplog.at_level(logging.INFO, logger="suara.websocket"):
        during, received = async_to_sync(scenario)()
    assert received == {"event": "case.updated", "payload": {}}  # the id is not sent to the browser
    sends = [r for r in caplog.records if r.name == "suara.websocket"]
    assert [r.request_id for r in sends] == ["req-0123456789"]
    assert during == before + 1
    assert open_sockets() == before
