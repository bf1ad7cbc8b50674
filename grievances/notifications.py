"""What the case core sends in the background: acknowledgements by e-mail and SMS, escalation notices.

Services enqueue these inside their transaction (the task backend is the
database), so a notice exists exactly when the change does.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

from grievances.models import Grievance
from grievances.pins import PIN_SEAL_PURPOSE
from portal.lib.sealed import SealBroken, unseal
from portal.lib.sms import send_sms
from portal.models import SentMessage, User

logger = logging.getLogger(__name__)

PIN_SEAL_MAX_AGE = 24 * 60 * 60


@task
def send_acknowledgement(grievance_id: int, sealed_pin: str) -> dict:
    """E-mail and/or text the reference and PIN to whoever lodged the grievance."""
    grievance = Grievance.objects.select_related("agency", "complainant", "category").get(pk=grievance_id)
    try:
        pin = unseal(sealed_pin, purpose=PIN_SEAL_PURPOSE, max_age_seconds=PIN_SEAL_MAX_AGE)
    except SealBroken:
        logger.warning("Acknowledgement for grievance %s not sent: the PIN seal is broken or expired", grievance_id)
        return {"email": False, "sms": False}
    context = {"grievance": grievance, "pin": pin, "site_url": settings.SITE_URL.rstrip("/")}
    sent = {"email": False, "sms": False}
    # The same task run again (its worker died and the reaper requeued it)
    # must not send the PIN twice; a new PIN is a new message.
    once = f"grievance-ack:{grievance_id}:{hashlib.sha256(sealed_pin.encode()).hexdigest()[:32]}"
    with translation.override(grievance.language):
        email = grievance.contact_email or (grievance.complainant.email if grievance.complainant_id else "")
        if email:
            with SentMessage.claim(f"{once}:email") as first:
                if first:
                    subject = render_to_string("grievances/email/acknowledgement_subject.txt", context).strip()
                    body = render_to_string("grievances/email/acknowledgement.txt", context)
                    EmailMessage(subject=subject, body=body, to=[email]).send()
                    sent["email"] = True
        if grievance.contact_phone:
            with SentMessage.claim(f"{once}:sms") as first:
                if first:
                    body = render_to_string("grievances/sms/acknowledgement.txt", context).strip()
                    sent["sms"] = bool(send_sms(grievance.contact_phone, body))
    return sent


@task
def send_escalation(grievance_id: int, level: int, user_ids: list[int]) -> int:
    """Tell the people at one escalation level that a case's deadline is near or missed.

    The e-mail names the case by reference and links to the workspace; it
    never carries the complaint's text or the complainant's identity.
    """
    grievance = Grievance.objects.select_related("agency").get(pk=grievance_id)
    site = settings.SITE_URL.rstrip("/")
    sent = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True).exclude(email=""):
        # One notice per person, level and deadline, however often the task runs.
        with SentMessage.claim(f"escalation:{grievance_id}:{level}:{grievance.due_on}:{user.pk}") as first:
            if not first:
                continue
            with translation.override(user.preferred_language):
                context = {"grievance": grievance, "level": level, "site_url": site, "user": user}
                subject = render_to_string("grievances/email/escalation_subject.txt", context).strip()
                body = render_to_string("grievances/email/escalation.txt", context)
            EmailMessage(subject=subject, body=body, to=[user.email]).send()
        sent += 1
    return sent
