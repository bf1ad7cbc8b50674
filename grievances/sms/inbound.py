"""One inbound text, from any gateway, processed once: idempotent, flood-limited, answered.

Every adapter (Twilio, the external channel, the development phone) turns
its request into :func:`receive` and sends back what it returns.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from grievances.sms.conversation import respond
from grievances.sms.models import Conversation, Message
from grievances.sms.numbers import number_hash
from portal.lib.ratelimit import CacheStore, Limit
from portal.lib.sms import segments
from portal.lib.text import clean_text

# What a gateway may hand over in one message (ten concatenated segments); beyond is cut.
MAX_BODY = 1600
rates = CacheStore()


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


@transaction.atomic
def receive(*, gateway: str, message_id: str, sender: str, body: str, replies_sent: bool = True) -> list[str] | None:
    """Process one text once; returns the replies to send (none for a flood), None for a repeat.

    ``replies_sent``: the gateway sends the replies with its answer (TwiML), so
    they are recorded here as sent; otherwise the caller queues them.
    """
    digest = number_hash(sender)
    text = clean_text((body or "")[:MAX_BODY])
    cost = segments.count(body or "")
    try:
        with transaction.atomic():
            inbound = Message.objects.create(
                direction=Message.Direction.IN,
                gateway=gateway,
                gateway_id=(message_id or "")[:64],
                number_hash=digest,
                status=Message.Status.RECEIVED,
                segments=cost.segments,
                encoding=cost.encoding,
            )
    except IntegrityError:
        return None  # a replayed or retried webhook: this message was processed already
    # Two automatic senders answering each other stop here; so does a burst at everyone.
    if rates.take(number_limit(), digest) or rates.take(global_limit(), "all"):
        inbound.status = Message.Status.DROPPED
        inbound.save(update_fields=["status"])
        return []
    conversation = _conversation(digest)
    outcome = respond(conversation, number=sender, body=text)
    conversation.save()
    grievance = outcome.grievance
    if grievance is not None:
        inbound.grievance, inbound.event, inbound.agency_id = grievance, outcome.event, grievance.agency_id
        inbound.kind = outcome.event.kind if outcome.event is not None else ""
        inbound.save(update_fields=["grievance", "event", "agency", "kind"])
    replies = []
    for reply in outcome.replies:
        count = segments.count(reply)
        replies.append(
            Message(
                direction=Message.Direction.OUT,
                gateway=gateway,
                kind="reply",
                number_hash=digest,
                grievance=grievance,
                agency_id=grievance.agency_id if grievance is not None else None,
                status=Message.Status.SENT,
                segments=count.segments,
                encoding=count.encoding,
            )
        )
    if replies_sent:
        Message.objects.bulk_create(replies)
    return outcome.replies
