import http.server
import itertools
import json
import threading
import urllib.parse

import pytest

from portal.lib.sms import twilio

TOKEN = "test-auth-token-12345"
URL = "http://localhost:8000/sms/twilio/inbound/"
_sids = itertools.count(1)


@pytest.fixture(autouse=True)
def _sms_settings(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.SITE_URL = "http://localhost:8000"
    settings.SMS_BACKEND = "portal.lib.sms.LocmemBackend"


def signed_post(client, url: str, fields: dict, *, token: str = TOKEN, signature: str | None = None):
    given = twilio.signature(token, url, fields) if signature is None else signature
    path = urllib.parse.urlsplit(url).path
    return client.post(path, fields, HTTP_X_TWILIO_SIGNATURE=given)


class Phone:
    """One person's phone texting the line through the Twilio webhook, as Twilio would."""

    def __init__(self, client, number: str = "+66812345678"):
        self.client = client
        self.number = number
        self.last_response = None

    def send(self, body: str, *, sid: str | None = None) -> list[str]:
        fields = {
            "From": self.number,
            "To": "+6620000000",
            "Body": body,
            "MessageSid": sid or f"SM{next(_sids):032d}",
            "AccountSid": "AC" + "0" * 32,
            "NumMedia": "0",
        }
        response = signed_post(self.client, URL, fields)
        self.last_response = response
        assert response.status_code == 200, response.content
        assert response["Content-Type"].startswith("text/xml")
        return _messages(response.content.decode())

    def reply(self, body: str) -> str:
        replies = self.send(body)
        assert len(replies) >= 1, f"no reply to {body!r}"
        return "\n".join(replies)


def _messages(twiml: str) -> list[str]:
    from xml.etree import ElementTree

    root = ElementTree.fromstring(twiml)
    assert root.tag == "Response"
    return [element.text or "" for element in root.findall("Message")]


@pytest.fixture
def phone(client, db):
    return Phone(client)


@pytest.fixture
def stranger(db):
    from django.test import Client

    return Phone(Client(), number="+66899999999")


class FakeGateway:
    """A local gateway speaking Twilio's REST shape and the external channel's send: it records each request."""

    def __init__(self):
        self.requests: list[dict] = []
        self.fail_with: list[int] = []  # status codes to answer with next, one per request
        gateway = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body are two writes: without this, Nagle and delayed ACKs add 40 ms to each.
            disable_nagle_algorithm = True

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length).decode()
                gateway.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "form": dict(urllib.parse.parse_qsl(body)),
                        "body": body,
                    }
                )
                status = gateway.fail_with.pop(0) if gateway.fail_with else 201
                answer = json.dumps({"sid": f"SM{len(gateway.requests):032d}", "status": "queued"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    fake = FakeGateway()
    yield fake
    fake.stop()


@pytest.fixture
def twilio_gateway(gateway, settings):
    settings.SMS_BACKEND = "portal.lib.sms.twilio.TwilioBackend"
    settings.TWILIO_ACCOUNT_SID = "AC" + "1" * 32
    settings.TWILIO_FROM = "+6620000000"
    settings.TWILIO_API_URL = gateway.url
    settings.TWILIO_STATUS_CALLBACK_URL = "http://localhost:8000/sms/twilio/status/"
    return gateway
