"""Asking by e-mail: once a decision is made, the complainant gets one notice with a link to the questions.

The notice carries no answer links: a mail scanner that opens every link
(GET) would otherwise answer for the person. The link leads to the form,
behind the same gate as the case page, and only its POST records anything.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from grievances.events import CaseChange
from grievances.models import CaseEvent, Grievance
from grievances.satisfaction.models import Answer
from grievances.satisfaction.services import can_answer
from portal.models import SentMessage


def on_case_change(change: CaseChange) -> None:
    """Subscribed to the core's announcements: after a decision is communicated, ask (from the worker)."""
    if change.public and change.kind == CaseEvent.Kind.RESOLVED:
        ask_by_email.enqueue(change.case_id)


def email_of(grievance: Grievance) -> str:
    return grievance.contact_email or (grievance.complainant.email if grievance.complainant_id else "")


@task
def ask_by_email(case_id: int) -> bool:
    """E-mail the questions' link to the complainant, once per case however often a decision is made or this runs."""
    grievance = Grievance.objects.select_related("agency", "complainant").filter(pk=case_id).first()
    if grievance is None or not can_answer(grievance) or Answer.objects.filter(grievance=grievance).exists():
        return False
    address = email_of(grievance)
    if not address:  # anonymous, or reached by phone only: the case page (and the text, by SMS) asks
        return False
    site = settings.SITE_URL.rstrip("/")
    with SentMessage.claim(f"satisfaction-ask:{case_id}") as first:
        if not first:
            return False
        with translation.override(grievance.language):
            context = {
                "grievance": grievance,
                "site_url": site,
                "link": site + reverse("grievances_satisfaction:answer", args=[grievance.reference]),
            }
            subject = render_to_string("grievances/satisfaction/email/ask_subject.txt", context).strip()
            body = render_to_string("grievances/satisfaction/email/ask.txt", context)
        EmailMessage(subject=subject, body=body, to=[address]).send()
    return True
