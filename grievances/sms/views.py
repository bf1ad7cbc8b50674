"""The gateways' webhooks: inbound texts and delivery receipts, each checked before anything changes.

Twilio-compatible gateways sign every request (``X-Twilio-Signature``); the
external channel (RapidPro, TextIt) names a secret in its addresses. Anything
unsigned, wrongly signed or replayed gets 403 and changes nothing.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from grievances.sms import inbound, outbound
from portal.lib.sms import external, twilio


def _signed_url(request) -> str:
    # The address the gateway was given: the public one (SITE_URL), as a proxy may rewrite the host.
    return settings.SITE_URL.rstrip("/") + request.get_full_path()


def _twilio_checked(request) -> bool:
    params = list(request.POST.lists())
    pairs = [(key, value) for key, values in params for value in values]
    given = request.headers.get(twilio.SIGNATURE_HEADER, "")
    token = settings.TWILIO_AUTH_TOKEN
    return twilio.is_valid(token, _signed_url(request), pairs, given) or twilio.is_valid(
        token, request.build_absolute_uri(), pairs, given
    )


def _refused(reason: str) -> HttpResponseForbidden:
    return HttpResponseForbidden(reason, content_type="text/plain")


@csrf_exempt
@require_POST
def twilio_inbound(request):
    """``POST /sms/twilio/inbound/``: one text (From, To, Body, MessageSid); the replies as TwiML."""
    if not _twilio_checked(request):
        return _refused("signature")
    sid = request.POST.get("MessageSid") or request.POST.get("SmsSid") or ""
    sender = request.POST.get("From", "")
    if not sid or not sender:
        return _refused("incomplete")
    replies = inbound.receive(gateway="twilio", message_id=sid, sender=sender, body=request.POST.get("Body", ""))
    if replies is None:
        return _refused("replayed")
    return HttpResponse(twilio.twiml(replies), content_type="text/xml; charset=utf-8")


@csrf_exempt
@require_POST
def twilio_status(request):
    """``POST /sms/twilio/status/``: a delivery receipt (MessageSid, MessageStatus)."""
    if not _twilio_checked(request):
        return _refused("signature")
    status = twilio.STATUSES.get(request.POST.get("MessageStatus", ""), "")
    outbound.receipt(gateway="twilio", gateway_id=request.POST.get("MessageSid", ""), status=status)
    return HttpResponse(status=204)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def external_receive(request, secret: str):
    """``/sms/external/<secret>/receive/``: ``from``, ``text`` (and ``date``, ``id``), as RapidPro's external channel.

    The replies go out through the external backend (the protocol has no
    reply in the response); the answer is 200 with the ids of what was queued.
    """
    if not external.secret_matches(secret):
        return _refused("secret")
    data = request.POST if request.method == "POST" else request.GET
    sender, text = data.get("from", ""), data.get("text", "")
    if not sender:
        return _refused("incomplete")
    # Without the gateway's id, the same sender, text and time are the same message.
    message_id = data.get("id") or hashlib.sha256(f"{sender}|{data.get('date', '')}|{text}".encode()).hexdigest()[:64]
    replies = inbound.receive(gateway="external", message_id=message_id, sender=sender, body=text, replies_sent=False)
    if replies is None:
        return _refused("replayed")
    queued = [outbound.queue(number=sender, body=reply, kind="reply") for reply in replies]
    for message in queued:
        outbound.deliver_message.enqueue(message.pk)
    return JsonResponse({"queued": [message.pk for message in queued]})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def external_status(request, secret: str, status: str):
    """``/sms/external/<secret>/<sent|delivered|failed>/?id=…``: a delivery report."""
    if not external.secret_matches(secret):
        return _refused("secret")
    message_id = request.POST.get("id") or request.GET.get("id", "")
    outbound.receipt(gateway="external", gateway_id=message_id, status=external.STATUSES.get(status, ""))
    return HttpResponse(status=204)
