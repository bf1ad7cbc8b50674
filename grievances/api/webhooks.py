"""Signed webhooks: what is sent, how it is signed, and how it travels (the delivery task retries with back-off).

A case event is offered to the webhooks of every agency whose reach the case
is in (``visible_to``'s reach: the owning agency, a pending referral's
receiver, earlier referrers). Internal events go only to webhooks that asked
for them, sensitive-category cases only to webhooks a focal point set up.
The body names the case and the event, never the complaint's text or the
complainant: the receiver reads those through the API, under its token.

Signature: ``Suara-Signature: t=<unix seconds>,v1=<hex>`` where ``<hex>`` is
HMAC-SHA256 under the webhook's secret of ``"<t>." + raw body``.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import time
from datetime import timedelta
from urllib.parse import urlsplit
from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from grievances.api.models import Webhook, WebhookDelivery
from grievances.events import CaseChange
from grievances.models import CaseEvent, Referral
from portal.lib.sealed import unseal

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "Suara-Signature"
SECRET_SEAL_PURPOSE = "webhook-secret"
# The seal's clock is for short-lived secrets; a webhook secret lives until revoked.
SECRET_SEAL_MAX_AGE = 100 * 365 * 24 * 60 * 60
SIGNATURE_TOLERANCE_SECONDS = 300
USER_AGENT = "Suara-Webhooks/1"


# --- signing -----------------------------------------------------------------------


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify_signature(
    secret: str, header: str, body: bytes, *, tolerance: int = SIGNATURE_TOLERANCE_SECONDS, now: float | None = None
) -> bool:
    """The receiver's check, as docs/api.md describes it (kept here so the tests run the recipe)."""
    parts = dict(part.split("=", 1) for part in (header or "").split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), parts.get("v1", ""))


# --- where deliveries may go -----------------------------------------------------------


class AddressRefused(ValueError):
    """The receiver's address is private, loopback or otherwise not on the public internet."""


def _private_allowed() -> bool:
    return bool(settings.SUARA_WEBHOOK_ALLOW_PRIVATE)


def check_webhook_url(url: str) -> str:
    """Validate a receiver's address when it is registered (checked again at every delivery)."""
    url = (url or "").strip()
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError:
        raise ValidationError({"url": _("Please give a full address, starting with https://.")}) from None
    parts = urlsplit(url)
    if parts.scheme != "https" and not _private_allowed():
        raise ValidationError({"url": _("Webhook addresses must use https://.")})
    if parts.username or parts.password:
        raise ValidationError({"url": _("Please leave user names and passwords out of the address.")})
    try:
        resolve_public(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
    except AddressRefused:
        raise ValidationError({"url": _("This address is not on the public internet.")}) from None
    except OSError:
        pass  # may not resolve yet; each delivery checks again
    return url


def resolve_public(host: str, port: int) -> list[str]:
    """The host's addresses; refused when any is not global, unless private ones are allowed."""
    addresses = [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]
    if not _private_allowed():
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if not ip.is_global or ip.is_multicast:
                raise AddressRefused(address)
    return addresses


def _connect_to_checked(addresses: list[str], port: int, timeout: float) -> socket.socket:
    """A TCP connection to one of the addresses already checked, never to a new lookup of the name.

    Looking the name up again would let its DNS answer change between the
    check and the connection (to 127.0.0.1, say) and reach our own network.
    """
    failure: OSError | None = None
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as exc:
            failure = exc
    raise failure or OSError("no address to connect to")


class _CheckedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, addresses: list[str], timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.checked_addresses = addresses

    def connect(self) -> None:
        self.sock = _connect_to_checked(self.checked_addresses, self.port, self.timeout)


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    # TLS still speaks to the host name: SNI and the certificate check use it,
    # so pinning the address weakens nothing.
    def __init__(self, host: str, port: int, *, addresses: list[str], timeout: float):
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.checked_addresses = addresses

    def connect(self) -> None:
        raw = _connect_to_checked(self.checked_addresses, self.port, self.timeout)
        try:
            self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """One POST with a short timeout, to the address just checked; returns (status code or None, error text).

    Redirects are not followed: one could point a signed request anywhere,
    including inside our network.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None, "unsupported scheme"
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        host = parts.hostname or ""
        addresses = resolve_public(host, port)
    except AddressRefused as refused:
        return None, f"address refused: {refused}"
    except (OSError, ValueError) as exc:
        return None, f"cannot resolve: {exc}"[:300]
    connection_class = _CheckedHTTPSConnection if parts.scheme == "https" else _CheckedHTTPConnection
    connection = connection_class(host, port, addresses=addresses, timeout=settings.SUARA_WEBHOOK_TIMEOUT_SECONDS)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        response.read(1024)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return None, str(exc)[:300] or exc.__class__.__name__
    finally:
        connection.close()
    if 200 <= response.status < 300:
        return response.status, ""
    return response.status, f"HTTP {response.status}"


# --- fan-out and delivery ---------------------------------------------------------------


# Which organizations have an active webhook: kept in each process's memory (every lodging asks)
# and read again when the version in the shared cache changes, which any save, delete or
# switching off of a webhook does.
RECEIVERS_VERSION_KEY = "grievances:webhooks:version"
_receivers: tuple[str, frozenset[int]] | None = None


def receiving_organizations() -> frozenset[int] | None:
    """Ids of the organizations with an active webhook; None when no shared cache can say it is current."""
    global _receivers
    version = cache.get(RECEIVERS_VERSION_KEY)
    if version is None:
        cache.add(RECEIVERS_VERSION_KEY, uuid4().hex, timeout=None)
        version = cache.get(RECEIVERS_VERSION_KEY)
        if version is None:
            return None
    if _receivers is None or _receivers[0] != version:
        _receivers = (version, frozenset(Webhook.objects.active().values_list("organization_id", flat=True)))
    return _receivers[1]


def webhooks_changed(**_signal) -> None:
    """A webhook was added, changed, switched off or deleted: every process reads the receivers again.

    Once now and once after commit, so that a process that read the table between the two cannot keep the old set.
    """
    cache.set(RECEIVERS_VERSION_KEY, uuid4().hex, timeout=None)
    transaction.on_commit(lambda: cache.set(RECEIVERS_VERSION_KEY, uuid4().hex, timeout=None))


def on_case_change(change: CaseChange) -> None:
    """Subscribed to the core's announcements: offer the committed event to webhooks.

    Called after the commit and ``robust``: whatever goes wrong here is
    logged and never reaches the person whose action was just saved.
    """
    if change.new_case:
        # A new case has no referrals: only its agencies' webhooks can want it, and usually none does.
        receivers = receiving_organizations()
        if receivers is not None and not receivers.intersection(change.agencies):
            return
    fan_out(change.event_id, grievance_id=change.case_id, agencies=list(change.agencies), public=change.public)


def fan_out(event_id: int, *, grievance_id: int, agencies: list[int], public: bool) -> int:
    """Create a delivery per interested webhook and enqueue it; returns how many.

    One small query when no webhook is interested, which is the usual case.
    """
    referrers = Referral.objects.filter(grievance_id=grievance_id).values("from_agency_id")
    hooks = Webhook.objects.active().filter(
        models.Q(organization_id__in=agencies) | models.Q(organization_id__in=referrers)
    )
    if not public:
        hooks = hooks.filter(include_internal=True)
    hooks = list(hooks)
    if not hooks:
        return 0
    event = CaseEvent.objects.select_related("grievance__category__parent").get(pk=event_id)
    if event.grievance.category.is_sensitive:
        hooks = [hook for hook in hooks if hook.sensitive]
    for hook in hooks:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(webhook=hook, event=event)
            deliver_webhook.enqueue(delivery.pk)
    return len(hooks)


def payload(delivery) -> dict:
    event = delivery.event
    return {
        "delivery": delivery.pk,
        "type": f"case.{event.kind}",
        "created_at": event.created_at.isoformat(),
        "case": {"reference": event.grievance.reference, "status": event.status_after},
        "event": {
            "id": event.pk,
            "kind": event.kind,
            "internal": not event.public,
            "status_after": event.status_after,
        },
    }


def backoff(attempts: int) -> timedelta:
    """30 s, 2 min, 8 min, 32 min, … capped at six hours."""
    return timedelta(seconds=min(settings.SUARA_WEBHOOK_BACKOFF_SECONDS * 4 ** (attempts - 1), 6 * 60 * 60))


def attempt(delivery_id: int) -> bool | None:
    """Send one delivery once; returns True delivered, False to retry, None when given up or done."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("webhook", "event__grievance")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
            return None
        if delivery.attempts >= settings.SUARA_WEBHOOK_MAX_ATTEMPTS or not delivery.webhook.active:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.last_error = delivery.last_error or "webhook switched off"
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "last_error", "next_attempt_at"])
            return None
        delivery.attempts += 1
        delivery.last_attempt_at = timezone.now()
        # Claimed before the (slow) request, so a crash counts the attempt.
        delivery.save(update_fields=["attempts", "last_attempt_at"])
    body = json.dumps(payload(delivery), separators=(",", ":"), ensure_ascii=False).encode()
    secret = unseal(delivery.webhook.secret_sealed, purpose=SECRET_SEAL_PURPOSE, max_age_seconds=SECRET_SEAL_MAX_AGE)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: signature_header(secret, body),
        "Suara-Event": f"case.{delivery.event.kind}",
        "Suara-Delivery": str(delivery.pk),
    }
    status, error = post(delivery.webhook.url, body, headers)
    delivered = status is not None and 200 <= status < 300
    delivery.last_status_code = status
    delivery.last_error = "" if delivered else (error or f"HTTP {status}")[:300]
    if delivered:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.next_attempt_at = None
    elif delivery.attempts >= settings.SUARA_WEBHOOK_MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
    delivery.save(update_fields=["status", "last_status_code", "last_error", "delivered_at", "next_attempt_at"])
    if delivered:
        return True
    return False if delivery.status == WebhookDelivery.Status.PENDING else None


@task
def deliver_webhook(delivery_id: int) -> str:
    """Try one delivery; when it fails and attempts remain, enqueue itself again for later."""
    outcome = attempt(delivery_id)
    if outcome is False:
        next_at = (
            WebhookDelivery.objects.filter(pk=delivery_id).values_list("next_attempt_at", flat=True).first()
            or timezone.now()
        )
        deliver_webhook.using(run_after=next_at).enqueue(delivery_id)
        return "retry"
    return "delivered" if outcome else "done"
