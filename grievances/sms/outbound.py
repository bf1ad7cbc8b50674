"""Notices by text: every public event of a case reaches a complainant who chose SMS.

The case core announces each committed change (``grievances.events``); for a
case with a number to text, :func:`on_case_change` enqueues
:func:`notify_event`, which writes the notice (one per event, however often
it runs) and hands it to :func:`deliver_message`. Delivery retries with
backoff; the state (queued, sent, delivered, failed) is on the message row,
which the staff case page shows, and a failure is counted in monitoring.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone, translation

from grievances.events import CaseChange
from grievances.models import CaseEvent, Grievance
from grievances.sms import satisfaction
from grievances.sms.models import Conversation, Message, Recipient
from grievances.sms.numbers import number_hash, open_number, seal_number
from grievances.sms.status import agency_name, day, status_text
from grievances.sms.texts import render
from grievances.workflow import Status
from portal.lib.observability import metrics
from portal.lib.sealed import SealBroken, seal, unseal
from portal.lib.sms import SMS, deliver
from portal.lib.sms import segments as sms_segments
from portal.lib.sms.http import GatewayError

logger = logging.getLogger(__name__)

BODY_PURPOSE = "sms-body"
BODY_MAX_AGE = 30 * 24 * 60 * 60
# After these the case says no more: the number of an anonymous case is dropped once told.
FINAL = {Status.CLOSED, Status.WITHDRAWN, Status.REJECTED}
# Events the complainant did themselves, or that say nothing new to them.
QUIET = {CaseEvent.Kind.LODGED, CaseEvent.Kind.LANGUAGE_CHANGED, CaseEvent.Kind.SLA, CaseEvent.Kind.NOTE}
GATEWAY_NAMES = {
    "portal.lib.sms.twilio.TwilioBackend": "twilio",
    "portal.lib.sms.external.ExternalBackend": "external",
}


def gateway_name() -> str:
    return GATEWAY_NAMES.get(settings.SMS_BACKEND, settings.SMS_BACKEND.rsplit(".", 1)[-1][:16].lower())


def recipient(grievance: Grievance) -> str | None:
    """The number the case's notices go to, if the complainant chose SMS; else None."""
    if grievance.contact_preference == Grievance.Contact.PHONE and grievance.contact_phone:
        return grievance.contact_phone
    sealed = Recipient.objects.filter(grievance=grievance).values_list("number_sealed", flat=True).first()
    return open_number(sealed) if sealed else None


def on_case_change(change: CaseChange) -> None:
    """After a public change to a case with a number to text, enqueue its notice (after the commit, robust)."""
    if not change.public or change.new_case or not settings.SMS_BACKEND:
        return
    wants = (
        Grievance.objects.filter(pk=change.case_id, contact_preference=Grievance.Contact.PHONE)
        .exclude(contact_phone="")
        .exists()
        or Recipient.objects.filter(grievance_id=change.case_id).exists()
    )
    if wants:
        notify_event.enqueue(change.event_id)


def notice_text(event: CaseEvent, grievance: Grievance) -> str:
    """The notice of ``event`` in the active language."""
    values = {"reference": grievance.reference, "agency": agency_name(grievance)}
    match event.kind:
        case CaseEvent.Kind.INFORMATION_REQUESTED:
            return render("question", text=event.body, **values)
        case CaseEvent.Kind.MESSAGE_TO_COMPLAINANT:
            return render("message", text=event.body, **values)
        case CaseEvent.Kind.RESOLVED if grievance.appeal_window_open:
            return render(
                "decision",
                text=event.body or grievance.get_decision_display(),
                date=day(grievance.appeal_due),
                **values,
            )
        case CaseEvent.Kind.APPEAL_DECIDED:
            return render("appeal_decided", text=event.body, reference=grievance.reference)
    return status_text(grievance)


@task
def notify_event(event_id: int) -> str:
    """Write the notice of one public event and send it; once per event, however often this runs."""
    event = CaseEvent.objects.select_related("grievance__agency", "grievance__referred_to").get(pk=event_id)
    grievance = event.grievance
    if not event.public or event.by_complainant or event.kind in QUIET:
        return "quiet"
    number = recipient(grievance)
    if not number:
        return "no number"
    digest = number_hash(number)
    if Conversation.objects.filter(number_hash=digest, stopped=True).exists():
        return "stopped"
    with translation.override(grievance.language):
        body = notice_text(event, grievance)
    message = queue(
        number=number, body=body, kind=event.kind, grievance=grievance, event=event, key=f"event:{event.pk}"
    )
    if message is None:
        return "already"
    # Whoever is told about a case answers it from here: the number follows the case.
    conversation, _created = Conversation.objects.update_or_create(
        number_hash=digest,
        defaults={"grievance": grievance},
        create_defaults={"language": grievance.language, "grievance": grievance},
    )
    if event.kind == CaseEvent.Kind.RESOLVED:
        _ask_how_it_went(conversation, number=number, grievance=grievance)
    deliver_message.enqueue(message.pk)
    return "queued"


def _ask_how_it_went(conversation: Conversation, *, number: str, grievance: Grievance) -> None:
    """After the decision's notice, its question (once per case); never in the middle of a lodging by text."""
    if conversation.state != Conversation.State.IDLE or not satisfaction.wants_asking(grievance):
        return
    asked = queue(
        number=number,
        body=satisfaction.question(grievance),
        kind="satisfaction",
        grievance=grievance,
        key=f"satisfaction:{grievance.pk}",
    )
    if asked is not None:
        # Asked now: the question's own time to answer starts here.
        conversation.state, conversation.draft = Conversation.State.RATE_RESOLVED, {}
        conversation.updated_at = timezone.now()
        conversation.save(update_fields=["state", "draft", "updated_at"])


def queue(
    *, number: str, body: str, kind: str, grievance: Grievance | None = None, event=None, key: str = ""
) -> Message | None:
    """Write one outbound text, sealed, as queued; None when ``key`` was queued before."""
    count = sms_segments.count(body)
    with transaction.atomic():
        if key and Message.objects.filter(key=key).exists():
            return None
        return Message.objects.create(
            direction=Message.Direction.OUT,
            gateway=gateway_name(),
            key=key,
            kind=kind,
            number_hash=number_hash(number),
            grievance=grievance,
            event=event,
            agency_id=grievance.agency_id if grievance is not None else None,
            status=Message.Status.QUEUED,
            segments=count.segments,
            encoding=count.encoding,
            to_sealed=seal_number(number),
            body_sealed=seal(body, purpose=BODY_PURPOSE),
        )


def backoff(attempts: int) -> timedelta:
    """30 s, 2 min, 8 min, 32 min, … capped at six hours."""
    return timedelta(seconds=min(settings.SMS_BACKOFF_SECONDS * 4 ** (attempts - 1), 6 * 60 * 60))


def _forget(message: Message) -> list[str]:
    # Number and words stay only as long as delivery needs them.
    message.to_sealed = message.body_sealed = ""
    return ["to_sealed", "body_sealed"]


def _due() -> Q:
    """Texts to try now: never tried, or whose retry time (or the lease of a try that died) has come."""
    now = timezone.now()
    return Q(attempts=0, next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)


def _claim(messages) -> None:
    # Counted before the (slow) request, so a crash counts the attempt; the lease keeps any other
    # task off a text being sent now, and lets a later one take it if this one dies.
    now = timezone.now()
    for message in messages:
        message.attempts += 1
        message.updated_at, message.next_attempt_at = now, now + backoff(message.attempts)
        Message.objects.filter(pk=message.pk).update(
            attempts=message.attempts, updated_at=now, next_attempt_at=message.next_attempt_at
        )


def attempt(message_id: int) -> bool | None:
    """Hand one queued text to the gateway once: True taken, False retry later, None given up, done or not due."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .filter(_due(), pk=message_id, status=Message.Status.QUEUED, gateway_id="")
            .first()
        )
        if message is None:
            return None  # sent, failed, being sent by another task, or its retry is later (and has its own task)
        _claim([message])
    return send_claimed(message)


def drain(*, limit: int = 500, batch: int = 50) -> int:
    """Send every text due (first tries, retries whose time has come), beside the one a task was for.

    Returns how many were tried.

    A worker then spends one task on many texts (their own tasks find them
    sent and end at once), and two workers never take the same text (SKIP
    LOCKED). A text whose try fails gets its retry task here, like any other.
    """
    tried = 0
    while tried < limit:
        with transaction.atomic():
            claimed = list(
                Message.objects.select_for_update(skip_locked=True)
                .filter(_due(), direction=Message.Direction.OUT, status=Message.Status.QUEUED, gateway_id="")
                .order_by("id")[:batch]
            )
            if not claimed:
                break
            _claim(claimed)
        for message in claimed:
            if send_claimed(message) is False:
                deliver_message.using(run_after=message.next_attempt_at or timezone.now()).enqueue(message.pk)
        tried += len(claimed)
    return tried


def send_claimed(message: Message) -> bool | None:
    """Send a text whose attempt was just counted; record the outcome (True taken, False retry, None failed)."""
    to = open_number(message.to_sealed)
    try:
        body = unseal(message.body_sealed, purpose=BODY_PURPOSE, max_age_seconds=BODY_MAX_AGE)
    except SealBroken:
        body = None
    error, retry = "", False
    if not to or body is None:
        error = "the number or text can no longer be opened"
    else:
        try:
            sent = deliver(SMS(to=to, body=body, reference=str(message.pk)))
        except GatewayError as exc:
            error, retry = str(exc), exc.retry
        except Exception as exc:  # any backend's failure is a failed attempt, retried
            logger.exception("SMS backend failed")
            error, retry = str(exc)[:300] or exc.__class__.__name__, True
    fields = ["status", "gateway_id", "last_error", "next_attempt_at", "updated_at"]
    message.updated_at = timezone.now()
    if not error:
        message.status = Message.Status.SENT if sent.status != "delivered" else Message.Status.DELIVERED
        message.gateway_id = sent.gateway_id[:64]
        message.last_error, message.next_attempt_at = "", None
        fields += _forget(message)
    elif retry and message.attempts < settings.SMS_MAX_ATTEMPTS:
        message.last_error = error[:300]
        message.next_attempt_at = timezone.now() + backoff(message.attempts)
    else:
        message.status, message.last_error, message.next_attempt_at = Message.Status.FAILED, error[:300], None
        fields += _forget(message)
        metrics.SMS_FAILURES.inc()
    Message.objects.filter(pk=message.pk, status=Message.Status.QUEUED).update(
        **{name: getattr(message, name) for name in fields}
    )
    if message.status != Message.Status.QUEUED:
        _drop_number_when_done(message)
        return True if message.status != Message.Status.FAILED else None
    return False


def _drop_number_when_done(message: Message) -> None:
    if message.grievance_id and message.kind and message.event_id:
        status = Grievance.objects.filter(pk=message.grievance_id).values_list("status", flat=True).first()
        if status in FINAL:
            Recipient.objects.filter(grievance_id=message.grievance_id).delete()


@task
def deliver_message(message_id: int) -> str:
    """Try one text; when it failed and attempts remain, enqueue itself again for later."""
    outcome = attempt(message_id)
    if outcome is False:
        next_at = Message.objects.filter(pk=message_id).values_list("next_attempt_at", flat=True).first()
        deliver_message.using(run_after=next_at or timezone.now()).enqueue(message_id)
    # Whatever else is waiting for its first try goes out with this task.
    drain()
    return {True: "sent", False: "retry"}.get(outcome, "done")


# Delivery receipts move a message forward only: a late "sent" never undoes "delivered".
ORDER = {Message.Status.QUEUED: 0, Message.Status.SENT: 1, Message.Status.DELIVERED: 2, Message.Status.FAILED: 2}


def receipt(*, gateway: str, gateway_id: str, status: str) -> bool:
    """Record a gateway's delivery receipt; False when no such message (or nothing to change)."""
    if status not in ORDER or not gateway_id:
        return False
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .filter(direction=Message.Direction.OUT, gateway=gateway, gateway_id=gateway_id[:64])
            .first()
        )
        if message is None or ORDER[status] <= ORDER.get(message.status, 0):
            return False
        message.status, message.updated_at = status, timezone.now()
        message.save(update_fields=["status", "updated_at"])
    if status == Message.Status.FAILED:
        metrics.SMS_FAILURES.inc()
    return True
