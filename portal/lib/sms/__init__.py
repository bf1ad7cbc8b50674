"""Text messages, with backends chosen like Django's e-mail backends.

``SMS_BACKEND`` names a class with ``send_messages(messages) -> int``.
Development prints to the console; tests collect in ``portal.lib.sms.outbox``;
a deployment plugs in its gateway's class (:mod:`portal.lib.sms.twilio`,
:mod:`portal.lib.sms.external`). An empty ``SMS_BACKEND`` switches the channel
off: nothing is sent, and nothing of the message is kept.

A backend may also offer ``send(message) -> Sent``, which returns the
gateway's id for the message and its first state, so that delivery receipts
can be matched later; :func:`deliver` uses it when there.
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

from portal.lib.observability import metrics

logger = logging.getLogger(__name__)

outbox: list[SMS] = []


@dataclass(frozen=True)
class SMS:
    to: str
    body: str
    # The sender's own id for the message (delivery receipts name it); "" when none.
    reference: str = ""


@dataclass(frozen=True)
class Sent:
    """What a gateway said when it took a message: its id for it, and the state it is in."""

    gateway_id: str = ""
    status: str = "sent"  # "queued" (the gateway will send it) or "sent"


class ConsoleBackend:
    def send_messages(self, messages: list[SMS]) -> int:
        for message in messages:
            sys.stdout.write(f"--- SMS to {message.to} ---\n{message.body}\n")
        sys.stdout.flush()
        return len(messages)


class LocmemBackend:
    def send_messages(self, messages: list[SMS]) -> int:
        outbox.extend(messages)
        return len(messages)


class FileBackend:
    """One JSON line per message in ``SMS_FILE_PATH`` (default var/sms.log); development only."""

    def send_messages(self, messages: list[SMS]) -> int:
        if getattr(settings, "PRODUCTION", False):
            # The file would keep phone numbers and PINs in clear for ever while delivering nothing.
            raise ImproperlyConfigured("The SMS file backend is for development; it never runs in production.")
        path = Path(getattr(settings, "SMS_FILE_PATH", settings.VAR_DIR / "sms.log"))
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as file:
            for message in messages:
                file.write(json.dumps({**asdict(message), "at": timezone.now().isoformat()}, ensure_ascii=False) + "\n")
        return len(messages)


def backend():
    """The configured backend, or None when the channel is off."""
    return import_string(settings.SMS_BACKEND)() if settings.SMS_BACKEND else None


def deliver(message: SMS, gateway=None) -> Sent:
    """Hand one message to the gateway; raises when it was not taken (the caller retries).

    Raises ``portal.lib.sms.http.GatewayError`` (``retry`` False when trying
    again cannot help) or whatever the backend raises.
    """
    gateway = gateway or backend()
    if gateway is None:
        raise ImproperlyConfigured("SMS_BACKEND is not set: the SMS channel is off.")
    if hasattr(gateway, "send"):
        return gateway.send(message)
    if not gateway.send_messages([message]):
        raise RuntimeError("the SMS backend did not take the message")
    return Sent()


def send_sms(to: str, body: str) -> int:
    """Send one message through the configured backend; returns the number sent (0 with the channel off)."""
    if not settings.SMS_BACKEND:
        logger.info("A text message was not sent: SMS_BACKEND is not set, so the SMS channel is off")
        return 0
    backend = import_string(settings.SMS_BACKEND)()
    try:
        sent = backend.send_messages([SMS(to=to, body=body)])
    except Exception:
        metrics.SMS_FAILURES.inc()
        raise
    if not sent:
        metrics.SMS_FAILURES.inc()
    return sent
