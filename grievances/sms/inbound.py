"""One inbound text, from any gateway, processed once: idempotent, flood-limited, answered.

Every adapter (Twilio, the external channel, the development phone) turns
its request into :func:`receive` and sends back what it returns.

Idempotency rests on one unique index: the text is answered inside a
transaction that holds its number's conversation locked, and the text's row
(gateway, gateway id) is written last, with its replies, in one statement
that skips a row already there. A repeat finds the first one's row, and its
whole transaction (a lodging included) rolls back: it changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from grievances.sms.conversation import respond
from grievances.sms.models import Conversation, Message
from grievances.sms.numbers import number_hash
from portal.lib.ratelimit import CacheStore, Limit
from portal.lib.sms import segments
from portal.lib.text import clean_text

# What a gateway may hand over in one message (ten concatenated segments); beyond is cut.
MAX_BODY = 1600
rates = CacheStore()
COLUMNS = (
    "direction",
    "gateway",
    "gateway_id",
    "key",
    "kind",
    "number_hash",
    "grievance_id",
    "event_id",
    "agency_id",
    "status",
    "segments",
    "encoding",
    "to_sealed",
    "body_sealed",
    "attempts",
    "last_error",
    "created_at",
    "updated_at",
)


def number_limit() -> Limit:
    return Limit("sms-replies-number", settings.SMS_REPLIES_PER_NUMBER, timedelta(minutes=10))


def global_limit() -> Limit:
    return Limit("sms-replies", settings.SMS_REPLIES_PER_MINUTE, timedelta(minutes=1))


def _conversation(digest: str) -> Conversation:
    found = Conversation.objects.select_for_update().filter(number_hash=digest).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Conversation.objects.create(number_hash=digest, language=settings.SMS_DEFAULT_LANGUAGE)
    except IntegrityError:  # the same number's other message created it a moment ago
        return Conversation.objects.select_for_update().get(number_hash=digest)


def _row(**values) -> tuple:
    now = timezone.now()
    defaults = {"key": "", "kind": "", "grievance_id": None, "event_id": None, "agency_id": None, "encoding": ""}
    defaults.update(to_sealed="", body_sealed="", attempts=0, last_error="", created_at=now, updated_at=now)
    defaults.update(values)
    return tuple(defaults[column] for column in COLUMNS)


def _write_once(rows: list[tuple]) -> bool:
    """Insert the inbound row (first) and its replies in one statement; False when the inbound one was there."""
    table = Message._meta.db_table
    placeholders = ", ".join("(" + ", ".join(["%s"] * len(COLUMNS)) + ")" for _row in rows)
    # The conflict target is the partial unique index "sms_inbound_once".
    # Names from the model and fixed placeholders; every value is a parameter.
    sql = (
        f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES {placeholders} "  # noqa: S608
        "ON CONFLICT (gateway, gateway_id) WHERE direction = 'in' AND NOT gateway_id = '' DO NOTHING "
        "RETURNING direction"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])
        written = [direction for (direction,) in cursor.fetchall()]
    return Message.Direction.IN in written


def _write_once_portable(rows: list[tuple]) -> bool:
    # SQLite (the embedded default) has no partial-index conflict target in this form on every version.
    try:
        with transaction.atomic():
            inbound, *replies = rows
            Message.objects.create(**dict(zip(COLUMNS, inbound, strict=True)))
    except IntegrityError:
        return False
    Message.objects.bulk_create([Message(**dict(zip(COLUMNS, row, strict=True))) for row in replies])
    return True


def receive(*, gateway: str, message_id: str, sender: str, body: str, replies_sent: bool = True) -> list[str] | None:
    """Process one text once; returns the replies to send (none for a flood), None for a repeat.

    ``replies_sent``: the gateway sends the replies with its answer (TwiML), so
    they are recorded here as sent; otherwise the caller queues them.
    """
    digest = number_hash(sender)
    text = clean_text((body or "")[:MAX_BODY])
    cost = segments.count(body or "")
    inbound = {
        "direction": Message.Direction.IN,
        "gateway": gateway,
        "gateway_id": (message_id or "")[:64],
        "number_hash": digest,
        "segments": cost.segments,
        "encoding": cost.encoding,
    }
    with transaction.atomic():
        # Two automatic senders answering each other stop here; so does a burst at everyone.
        if rates.take(number_limit(), digest) or rates.take(global_limit(), "all"):
            written = _write([_row(status=Message.Status.DROPPED, **inbound)])
            return [] if written else None
        conversation = _conversation(digest)
        outcome = respond(conversation, number=sender, body=text)
        conversation.save()
        case = outcome.grievance
        linked = {"grievance_id": case.pk, "agency_id": case.agency_id} if case is not None else {}
        rows = [
            _row(
                status=Message.Status.RECEIVED,
                event_id=outcome.event.pk if outcome.event is not None else None,
                **{**inbound, "kind": outcome.event.kind if outcome.event is not None else ""},
                **linked,
            )
        ]
        if replies_sent:
            for reply in outcome.replies:
                count = segments.count(reply)
                rows.append(
                    _row(
                        direction=Message.Direction.OUT,
                        gateway=gateway,
                        gateway_id="",
                        kind="reply",
                        number_hash=digest,
                        status=Message.Status.SENT,
                        segments=count.segments,
                        encoding=count.encoding,
                        **linked,
                    )
                )
        if not _write(rows):
            # A replayed or retried webhook: this text was processed already; undo whatever this run did.
            transaction.set_rollback(True)
            return None
    return outcome.replies


def _write(rows: list[tuple]) -> bool:
    return _write_once(rows) if connection.vendor == "postgresql" else _write_once_portable(rows)
