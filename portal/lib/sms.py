"""Text messages, with backends chosen like Django's e-mail backends.

``SMS_BACKEND`` names a class with ``send_messages(messages) -> int``.
Development prints to the console; tests collect in ``portal.lib.sms.outbox``;
a deployment plugs in its gateway's class.
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

outbox: list[SMS] = []


@dataclass(frozen=True)
class SMS:
    to: str
    body: str


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
    """One JSON line per message in ``SMS_FILE_PATH`` (default var/sms.log)."""

    def send_messages(self, messages: list[SMS]) -> int:
        path = Path(getattr(settings, "SMS_FILE_PATH", settings.VAR_DIR / "sms.log"))
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as file:
            for message in messages:
                file.write(json.dumps({**asdict(message), "at": timezone.now().isoformat()}, ensure_ascii=False) + "\n")
        return len(messages)


def send_sms(to: str, body: str) -> int:
    """Send one message through the configured backend; returns the number sent."""
    backend = import_string(settings.SMS_BACKEND)()
    return backend.send_messages([SMS(to=to, body=body)])
