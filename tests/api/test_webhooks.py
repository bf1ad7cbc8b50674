"""Signed webhooks: the signature recipe, delivery to a real receiver, retries that stop, no blocking."""

import json
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django_tasks_db.models import DBTaskResult

from grievances import services
from grievances.api import webhooks
from grievances.api.models import WebhookDelivery
from grievances.api.services import webhook_create
from grievances.api.webhooks import deliver_webhook
from grievances.models import CaseEvent
from tests.api.conftest import lodge


class Receiver:
    """A real HTTP server on a free local port that records what it is sent."""

    def __init__(self, *, status=200, delay=0.0, location=None):
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append((dict(self.headers), body, self.path))
                time.sleep(receiver.delay)
                self.send_response(receiver.status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.status, self.delay, self.location = status, delay, location
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def run_queued(delivery_ids=None):
    """Run the queued webhook tasks as the worker would (ignoring run_after)."""
    ran = 0
    for result in DBTaskResult.objects.filter(status="READY", task_path__endswith="deliver_webhook").order_by("id"):
        DBTaskResult.objects.filter(pk=result.pk).update(status="SUCCESSFUL")
        deliver_webhook.call(*result.args_kwargs["args"])
        ran += 1
    return ran


def test_the_documented_signature_recipe_verifies():
    body = b'{"type":"case.resolved"}'
    header = webhooks.signature_header("whsec_test", body, timestamp=1_700_000_000)
    assert header.startswith("t=1700000000,v1=")
    # The recipe in docs/api.md, by hand:
    import hashlib
    import hmac

    expected = hmac.new(b"whsec_test", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
    assert webhooks.verify_signature("whsec_test", header, body, now=1_700_000_010)
    assert not webhooks.verify_signature("whsec_test", header, body + b" ", now=1_700_000_010)
    assert not webhooks.verify_signature("another", header, body, now=1_700_000_010)
    assert not webhooks.verify_signature("whsec_test", header, body, now=1_700_000_000 + 3600)
    assert not webhooks.verify_signature("whsec_test", "garbage", body)


def test_a_case_event_reaches_the_agencys_receiver_signed(
    receiver, agency, supervisor, category, django_capture_on_commit_callbacks
):
    registered = webhook_create(organization=agency, user=supervisor, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        grievance = lodge(category).grievance
    # A new case arrives as its acknowledgement (the first event announced).
    assert run_queued() == 1
    assert len(receiver.requests) >= 1
    headers, body, path = receiver.requests[-1]
    assert path == "/hook"
    assert webhooks.verify_signature(registered.secret, headers["Suara-Signature"], body)
    payload = json.loads(body)
    assert payload["case"]["reference"] == grievance.reference
    assert headers["Suara-Event"] == payload["type"]
    # The body carries no complaint text.
    assert "payment" not in body.decode().lower()
    assert WebhookDelivery.objects.filter(status="delivered").count() == len(receiver.requests)


def test_other_agencies_internal_and_sensitive_events_stay_away(
    receiver,
    agency,
    other_agency,
    supervisor,
    other_supervisor,
    other_category,
    sensitive_category,
    officer,
    django_capture_on_commit_callbacks,
):
    webhook_create(organization=agency, user=supervisor, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        lodge(other_category)  # another agency's case
        sensitive = lodge(sensitive_category).grievance  # our agency, but sensitive
    assert WebhookDelivery.objects.count() == 0
    assert sensitive.category.is_sensitive


def test_internal_events_only_for_webhooks_that_ask(
    receiver, agency, supervisor, category, django_capture_on_commit_callbacks
):
    from tests.factories import MembershipFactory

    plain = webhook_create(organization=agency, user=supervisor, url=receiver.url).webhook
    internal = webhook_create(organization=agency, user=supervisor, url=receiver.url, include_internal=True).webhook
    grievance = lodge(category).grievance
    officer = MembershipFactory(organization=agency, role="case_officer").user
    with django_capture_on_commit_callbacks(execute=True):
        services.grievance_add_note(grievance=grievance, user=officer, body="internal", version=grievance.version)
    note = CaseEvent.objects.get(kind=CaseEvent.Kind.NOTE)
    assert not WebhookDelivery.objects.filter(webhook=plain, event=note).exists()
    assert WebhookDelivery.objects.filter(webhook=internal, event=note).exists()


def test_retries_back_off_and_stop_after_the_limit(
    agency, supervisor, category, settings, django_capture_on_commit_callbacks
):
    settings.SUARA_WEBHOOK_MAX_ATTEMPTS = 3
    failing = Receiver(status=500)
    try:
        webhook_create(organization=agency, user=supervisor, url=failing.url)
        with django_capture_on_commit_callbacks(execute=True):
            grievance = lodge(category).grievance
        delivery = WebhookDelivery.objects.get(event__grievance=grievance)
        run_queued()
        delivery.refresh_from_db()
        assert delivery.attempts == 1 and delivery.status == WebhookDelivery.Status.PENDING
        retry = DBTaskResult.objects.get(status="READY", task_path__endswith="deliver_webhook")
        assert retry.run_after == delivery.next_attempt_at > delivery.last_attempt_at
        for _ in range(10):
            run_queued()
        delivery.refresh_from_db()
        assert delivery.status == WebhookDelivery.Status.FAILED
        assert delivery.attempts == 3
        assert len(failing.requests) == 3
        assert delivery.last_status_code == 500
        # Nothing more is queued, and running the task again sends nothing.
        assert run_queued() == 0
        deliver_webhook.call(delivery.pk)
        assert len(failing.requests) == 3
    finally:
        failing.close()


def test_backoff_grows_and_is_capped(settings):
    settings.SUARA_WEBHOOK_BACKOFF_SECONDS = 30
    seconds = [webhooks.backoff(n).total_seconds() for n in range(1, 9)]
    assert seconds[:3] == [30, 120, 480]
    assert seconds == sorted(seconds) and seconds[-1] == 6 * 60 * 60


def test_a_slow_or_failing_receiver_never_blocks_the_case(
    agency, supervisor, category, django_capture_on_commit_callbacks
):
    slow = Receiver(status=500, delay=3)
    try:
        webhook_create(organization=agency, user=supervisor, url=slow.url)
        grievance = lodge(category).grievance
        from tests.factories import MembershipFactory

        officer = MembershipFactory(organization=agency, role="case_officer").user
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            services.grievance_message(grievance=grievance, user=officer, body="hello", version=grievance.version)
        assert time.monotonic() - started < 2
        assert slow.requests == []  # nothing is sent from the request; the worker sends it
        assert WebhookDelivery.objects.filter(status="pending").exists()
    finally:
        slow.close()


def test_a_fan_out_that_breaks_does_not_undo_the_action(
    agency, supervisor, category, monkeypatch, django_capture_on_commit_callbacks
):
    grievance = lodge(category).grievance
    from tests.factories import MembershipFactory

    officer = MembershipFactory(organization=agency, role="case_officer").user

    def broken(*args, **kwargs):
        raise RuntimeError("queue down")

    monkeypatch.setattr(webhooks, "fan_out", broken)
    with django_capture_on_commit_callbacks(execute=True):
        services.grievance_message(grievance=grievance, user=officer, body="hello", version=grievance.version)
    assert grievance.events.filter(kind=CaseEvent.Kind.MESSAGE_TO_COMPLAINANT).exists()


def test_redirects_are_not_followed(agency, supervisor, category, django_capture_on_commit_callbacks):
    target = Receiver()
    redirecting = Receiver(status=302, location=target.url)
    try:
        webhook_create(organization=agency, user=supervisor, url=redirecting.url)
        with django_capture_on_commit_callbacks(execute=True):
            lodge(category)
        run_queued()
        assert redirecting.requests and target.requests == []
        delivery = WebhookDelivery.objects.first()
        assert delivery.status == WebhookDelivery.Status.PENDING
        assert delivery.last_status_code == 302
    finally:
        target.close()
        redirecting.close()


def test_private_addresses_are_refused_when_not_allowed(receiver, agency, supervisor, category, settings):
    from django.core.exceptions import ValidationError

    settings.SUARA_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError):
        webhook_create(organization=agency, user=supervisor, url=receiver.url)
    with pytest.raises(ValidationError):
        webhook_create(organization=agency, user=supervisor, url="https://10.0.0.8/hook")
    status, error = webhooks.post(receiver.url, b"{}", {})
    assert status is None and error.startswith("address refused")
    assert receiver.requests == []


def test_a_delivery_task_run_twice_posts_once(
    receiver, agency, supervisor, category, django_capture_on_commit_callbacks
):
    webhook_create(organization=agency, user=supervisor, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        lodge(category)
    delivery = WebhookDelivery.objects.get()
    assert deliver_webhook.call(delivery.pk) == "delivered"
    assert deliver_webhook.call(delivery.pk) == "done"
    assert len(receiver.requests) == 1


def test_a_delivery_connects_to_the_address_that_was_checked_not_to_a_second_lookup(monkeypatch, settings):
    """DNS rebinding: the name answers a public address to the check, then loopback."""
    settings.SUARA_WEBHOOK_ALLOW_PRIVATE = False
    real_getaddrinfo = socket.getaddrinfo
    answers = iter(["93.184.215.14", "127.0.0.1", "127.0.0.1"])

    def rebinding_resolver(host, port, *args, **kwargs):
        if host != "hooks.example.org":
            return real_getaddrinfo(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    connected_to = []

    def recording_connect(address, *args, **kwargs):
        # Where the connection would really go: resolve as the socket module would, then stop.
        connected_to.append(socket.getaddrinfo(address[0], address[1], type=socket.SOCK_STREAM)[0][4][0])
        raise ConnectionRefusedError("not connecting in a test")

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_resolver)
    monkeypatch.setattr(socket, "create_connection", recording_connect)
    status, error = webhooks.post("https://hooks.example.org/hook", b"{}", {})
    assert status is None and error
    assert connected_to == ["93.184.215.14"]


def test_tls_to_the_checked_address_still_checks_the_host_name(monkeypatch, settings):
    settings.SUARA_WEBHOOK_ALLOW_PRIVATE = False
    real_getaddrinfo = socket.getaddrinfo

    def resolver(host, port, *args, **kwargs):
        if host != "hooks.example.org":
            return real_getaddrinfo(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))]

    first, second = socket.socketpair()
    handshakes = []

    def wrap_socket(context, sock, server_hostname=None, **kwargs):
        handshakes.append((server_hostname, context.check_hostname, context.verify_mode))
        raise ssl.SSLError("no handshake in a test")

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    monkeypatch.setattr(socket, "create_connection", lambda address, *args, **kwargs: first)
    monkeypatch.setattr(ssl.SSLContext, "wrap_socket", wrap_socket)
    try:
        status, error = webhooks.post("https://hooks.example.org/hook", b"{}", {})
    finally:
        second.close()
    assert status is None and "no handshake" in error
    assert handshakes == [("hooks.example.org", True, ssl.CERT_REQUIRED)]
    assert first.fileno() == -1  # the unwrapped socket is not left open


def test_a_new_case_no_webhook_wants_reads_no_webhook_and_a_new_webhook_counts_at_once(
    receiver, agency, supervisor, category, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from grievances.api.services import webhook_deactivate

    with django_capture_on_commit_callbacks(execute=True):
        lodge(category)  # the receivers are read once per process
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        lodge(category)
    assert not [q["sql"] for q in queries.captured_queries if "grievances_webhook" in q["sql"]]

    registered = webhook_create(organization=agency, user=supervisor, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        lodge(category)
    assert WebhookDelivery.objects.count() == 1
    # Switched off with an update(), which sends no signal: still read again.
    webhook_deactivate(webhook=registered.webhook, user=supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        lodge(category)
    assert WebhookDelivery.objects.count() == 1


def test_without_a_shared_cache_every_new_case_asks_the_webhook_table(
    receiver, agency, supervisor, category, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(webhooks.cache, "get", lambda *args, **kwargs: None)
    monkeypatch.setattr(webhooks.cache, "add", lambda *args, **kwargs: False)
    with django_capture_on_commit_callbacks(execute=True):
        lodge(category)
    webhook_create(organization=agency, user=supervisor, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        lodge(category)
    assert WebhookDelivery.objects.count() == 1
