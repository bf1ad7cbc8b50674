"""Twilio's SMS protocol, which many gateways copy: signed webhooks, TwiML replies, the REST API.

- Inbound: the gateway POSTs form fields (``From``, ``To``, ``Body``,
  ``MessageSid``...) and signs them in ``X-Twilio-Signature``: Base64 of
  HMAC-SHA1, keyed with the account's auth token, over the full URL followed
  by every POST parameter name and value, sorted by name.
- Replies: TwiML, ``<Response><Message>…</Message></Response>``.
- Delivery receipts: ``MessageSid`` and ``MessageStatus`` (queued, sent,
  delivered, undelivered, failed) at the message's ``StatusCallback``, signed
  the same way.
- Outbound: ``POST {api}/2010-04-01/Accounts/{sid}/Messages.json`` with
  ``To``, ``From`` (or ``MessagingServiceSid``), ``Body`` and
  ``StatusCallback``, HTTP Basic with the account sid and auth token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from urllib.parse import urlencode, urlsplit, urlunsplit
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from portal.lib.sms import SMS, Sent
from portal.lib.sms.http import GatewayError, request

SIGNATURE_HEADER = "X-Twilio-Signature"
# Twilio's states, and ours: a message the network took but could not hand over failed.
STATUSES = {
    "accepted": "queued",
    "queued": "queued",
    "sending": "queued",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "failed",
    "failed": "failed",
}


def _pairs(params: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    if isinstance(params, Mapping):
        return [(key, value) for key, value in params.items()]
    return list(params)


def signature(auth_token: str, url: str, params: Mapping[str, str] | Iterable[tuple[str, str]]) -> str:
    """``X-Twilio-Signature`` of a POST of ``params`` to ``url``."""
    pairs = sorted(_pairs(params), key=lambda pair: pair[0])
    data = url + "".join(f"{key}{value}" for key, value in pairs)
    digest = hmac.new(auth_token.encode(), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _url_variants(url: str) -> list[str]:
    # Twilio signs the URL as configured; a proxy may add or drop the default port.
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    variants = [url]
    if parts.port is None and default:
        variants.append(urlunsplit(parts._replace(netloc=f"{parts.hostname}:{default}")))
    elif parts.port == default:
        variants.append(urlunsplit(parts._replace(netloc=parts.hostname or "")))
    return variants


def is_valid(auth_token: str, url: str, params, given: str) -> bool:
    """Whether ``given`` is the signature of ``params`` posted to ``url`` under ``auth_token``."""
    if not auth_token or not given:
        return False
    pairs = _pairs(params)
    return any(hmac.compare_digest(signature(auth_token, variant, pairs), given) for variant in _url_variants(url))


def twiml(messages: Iterable[str]) -> str:
    """A TwiML document replying with each of ``messages`` (none: an empty response, nothing sent)."""
    body = "".join(f"<Message>{escape(text)}</Message>" for text in messages)
    return f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>'


class TwilioBackend:
    """Sends through a Twilio-compatible REST API (``TWILIO_API_URL`` points at a compatible gateway)."""

    def __init__(self):
        self.account = getattr(settings, "TWILIO_ACCOUNT_SID", "")
        self.token = getattr(settings, "TWILIO_AUTH_TOKEN", "")
        self.sender = getattr(settings, "TWILIO_FROM", "")
        self.service = getattr(settings, "TWILIO_MESSAGING_SERVICE_SID", "")
        self.api = getattr(settings, "TWILIO_API_URL", "https://api.twilio.com").rstrip("/")
        self.callback = getattr(settings, "TWILIO_STATUS_CALLBACK_URL", "")
        if not (self.account and self.token and (self.sender or self.service)):
            raise ImproperlyConfigured(
                "The Twilio backend needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM "
                "(or TWILIO_MESSAGING_SERVICE_SID)."
            )

    def send(self, message: SMS) -> Sent:
        fields = {"To": message.to, "Body": message.body}
        fields["MessagingServiceSid" if self.service else "From"] = self.service or self.sender
        if self.callback:
            fields["StatusCallback"] = self.callback
        credentials = base64.b64encode(f"{self.account}:{self.token}".encode()).decode()
        status, body = request(
            "POST",
            f"{self.api}/2010-04-01/Accounts/{self.account}/Messages.json",
            body=urlencode(fields).encode(),
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        if status >= 300:
            # 4xx other than 429 (an invalid number, a blocked recipient) will not get better by retrying.
            raise GatewayError(
                f"gateway answered {status}: {body[:200]!r}", status=status, retry=status == 429 or status >= 500
            )
        try:
            answer = json.loads(body)
        except ValueError:
            answer = {}
        return Sent(gateway_id=str(answer.get("sid", "")), status=STATUSES.get(str(answer.get("status", "")), "queued"))

    def send_messages(self, messages: list[SMS]) -> int:
        return sum(1 for message in messages if self.send(message))
