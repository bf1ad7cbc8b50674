"""Background work for grievances: acknowledgements by e-mail and SMS."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

from portal.sealed import SealBroken, unseal
from portal.sms import send_sms

logger = logging.getLogger(__name__)

PIN_SEAL_MAX_AGE = 24 * 60 * 60


@task
def send_acknowledgement(grievance_id: int, sealed_pin: str) -> dict:
    """E-mail and/or text the reference and PIN to whoever lodged the grievance."""
    from grievances.models import Grievance
    from grievances.services import PIN_SEAL_PURPOSE

    grievance = Grievance.objects.select_related("agency", "complainant", "category").get(pk=grievance_id)
    try:
        pin = unseal(sealed_pin, purpose=PIN_SEAL_PURPOSE, max_age_seconds=PIN_SEAL_MAX_AGE)
    except SealBroken:
        logger.warning("Acknowledgement for grievance %s not sent: the PIN seal is broken or expired", grievance_id)
        return {"email": False, "sms": False}
    context = {"grievance": grievance, "pin": pin, "site_url": settings.SITE_URL.rstrip("/")}
    sent = {"email": False, "sms": False}
    with translation.override(grievance.language):
        email = grievance.contact_email or (grievance.complainant.email if grievance.complainant_id else "")
        if email:
            subject = render_to_string("grievances/email/acknowledgement_subject.txt", context).strip()
            body = render_to_string("grievances/email/acknowledgement.txt", context)
            EmailMessage(subject=subject, body=body, to=[email]).send()
            sent["email"] = True
        if grievance.contact_phone:
            send_sms(grievance.contact_phone, render_to_string("grievances/sms/acknowledgement.txt", context).strip())
            sent["sms"] = True
    return sent
