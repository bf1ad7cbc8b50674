"""The external channel protocol of RapidPro and TextIt (their "External API" channel).

Programmes that already run an SMS line on RapidPro or TextIt, or an
aggregator that speaks the same protocol, connect it like this:

- Inbound: the gateway POSTs (or GETs) ``from``, ``text`` and optionally
  ``date`` and ``id`` to a receive address. RapidPro names the channel by a
  secret UUID in that address; here the address carries
  ``EXTERNAL_SMS_SECRET`` the same way (``/sms/external/<secret>/receive/``).
- Delivery reports: ``id`` posted to ``…/sent/``, ``…/delivered/`` or ``…/failed/``.
- Outbound: a request to ``EXTERNAL_SMS_SEND_URL`` with the variables
  ``{{to}}``, ``{{to_no_plus}}``, ``{{from}}``, ``{{from_no_plus}}``,
  ``{{text}}`` and ``{{id}}`` filled in (URL-encoded in the address and in a
  form body, JSON-escaped in a JSON body), with ``EXTERNAL_SMS_SEND_METHOD``
  (POST by default), ``EXTERNAL_SMS_SEND_BODY`` and an optional
  ``Authorization`` header (``EXTERNAL_SMS_SEND_AUTHORIZATION``).
"""

from __future__ import annotations

import hmac
import json
from urllib.parse import quote_plus

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from portal.lib.sms import SMS, Sent
from portal.lib.sms.http import GatewayError, request

STATUSES = {"sent": "sent", "delivered": "delivered", "failed": "failed"}
DEFAULT_BODY = "from={{from}}&to={{to}}&text={{text}}&id={{id}}"


def secret_matches(given: str) -> bool:
    expected = getattr(settings, "EXTERNAL_SMS_SECRET", "")
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def fill(template: str, variables: dict[str, str], *, escape) -> str:
    for name, value in variables.items():
        template = template.replace("{{" + name + "}}", escape(value))
    return template


class ExternalBackend:
    """Sends through the external channel's send address, as RapidPro's Courier does."""

    def __init__(self):
        self.url = getattr(settings, "EXTERNAL_SMS_SEND_URL", "")
        self.method = getattr(settings, "EXTERNAL_SMS_SEND_METHOD", "POST").upper()
        self.body = getattr(settings, "EXTERNAL_SMS_SEND_BODY", "") or DEFAULT_BODY
        self.content_type = getattr(settings, "EXTERNAL_SMS_SEND_CONTENT_TYPE", "urlencoded")
        self.authorization = getattr(settings, "EXTERNAL_SMS_SEND_AUTHORIZATION", "")
        self.sender = getattr(settings, "EXTERNAL_SMS_FROM", "")
        if not self.url:
            raise ImproperlyConfigured("The external SMS backend needs EXTERNAL_SMS_SEND_URL.")

    def variables(self, message: SMS) -> dict[str, str]:
        return {
            "to": message.to,
            "to_no_plus": message.to.lstrip("+"),
            "from": self.sender,
            "from_no_plus": self.sender.lstrip("+"),
            "text": message.body,
            "id": message.reference,
        }

    def send(self, message: SMS) -> Sent:
        variables = self.variables(message)
        url = fill(self.url, variables, escape=quote_plus)
        headers = {}
        body = b""
        if self.method != "GET":
            if self.content_type == "json":
                body = fill(self.body, variables, escape=lambda value: json.dumps(value)[1:-1]).encode()
                headers["Content-Type"] = "application/json"
            else:
                body = fill(self.body, variables, escape=quote_plus).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.authorization:
            headers["Authorization"] = self.authorization
        status, answer = request(self.method, url, body=body, headers=headers)
        if status >= 300:
            raise GatewayError(
                f"gateway answered {status}: {answer[:200]!r}", status=status, retry=status == 429 or status >= 500
            )
        # The external protocol names the message by our id; receipts come back with it.
        return Sent(gateway_id=message.reference, status="sent")

    def send_messages(self, messages: list[SMS]) -> int:
        return sum(1 for message in messages if self.send(message))
