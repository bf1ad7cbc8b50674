"""Background work for consultations: receipts, notices, the outcome report and large answer themes, run by the worker.

The services queue these on commit (so they import this module); a task
reads the records it is given and calls the report builders, and records
only its own result (a notice's ``sent_at``; the report's progress, through
``consultations.reports``). Nothing here imports the services.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db.models import Q
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone

from consultations import analysis, reports
from consultations.models import ConsultationNotice, ConsultationPage, Response
from portal.models import User
from portal.rules import SPEAK_FOR_ROLES

logger = logging.getLogger(__name__)


def _absolute(url: str) -> str:
    return url if url.startswith("http") else f"{(settings.SITE_URL or '').rstrip('/')}{url}"


@task
def send_response_receipt(response_id: int) -> int:
    """E-mail the respondent that their response arrived, with the link to change it until closing."""
    response = (
        Response.objects.select_related("consultation", "respondent", "organization").filter(pk=response_id).first()
    )
    if response is None or response.respondent is None:
        return 0
    consultation = response.consultation
    context = {
        "response": response,
        "consultation": consultation,
        "link": _absolute(consultation.url + "respond/"),
    }
    message = EmailMessage(
        subject=render_to_string("consultations/email/receipt_subject.txt", context).strip(),
        body=render_to_string("consultations/email/receipt.txt", context),
        to=[response.respondent.email],
    )
    return message.send()


def notice_recipients(consultation) -> list[str]:
    """Followers, and the representatives and administrators of invited organizations."""
    invited = [organization.pk for organization in consultation.invited_organizations.all()]
    users = User.objects.filter(is_active=True).filter(
        Q(consultation_follows__consultation=consultation)
        | Q(
            memberships__organization__in=invited,
            memberships__active=True,
            memberships__role__in=list(SPEAK_FOR_ROLES),
        )
    )
    return sorted(set(users.values_list("email", flat=True)))


@task
def send_consultation_notice(notice_id: int) -> int:
    """Send one notice (opened, closing soon, outcome) to everyone who should hear it; once."""
    notice = ConsultationNotice.objects.select_related("consultation").filter(pk=notice_id).first()
    if notice is None or notice.sent_at is not None:
        return 0
    # Claimed before sending: a second run of this task (a requeued one, or two
    # workers) finds it taken. A crash mid-send loses the notice rather than
    # sending it twice to everyone.
    if not ConsultationNotice.objects.filter(pk=notice.pk, sent_at__isnull=True).update(sent_at=timezone.now()):
        return 0
    consultation = notice.consultation.specific
    recipients = notice_recipients(consultation)
    context = {"notice": notice, "consultation": consultation, "link": _absolute(consultation.url)}
    subject = render_to_string("consultations/email/notice_subject.txt", context).strip()
    body = render_to_string("consultations/email/notice.txt", context)
    # One message per person: recipients must not see each other's addresses.
    messages = [EmailMessage(subject=subject, body=body, to=[address]) for address in recipients]
    try:
        sent = mailers.default.send_messages(messages) if messages else 0
    except Exception:
        # Nothing went out: free the notice for the retry.
        ConsultationNotice.objects.filter(pk=notice.pk).update(sent_at=None)
        raise
    ConsultationNotice.objects.filter(pk=notice.pk).update(recipients=sent or 0)
    logger.info("Consultation notice %s (%s) sent to %s people", notice.pk, notice.kind, sent)
    return sent or 0


@task
def render_outcome_report(report_id: int, key: str) -> str:
    """Render a consultation's outcome report to PDF and store it (see ``consultations.reports``)."""
    return reports.outcome_report_render(report_id, key)


@task
def compute_answer_themes(consultation_id: int, language: str) -> int:
    """Group a large consultation's written answers into themes, kept in the cache (``consultations.analysis``)."""
    page = ConsultationPage.objects.filter(pk=consultation_id).first()
    if page is None:
        return 0
    _key, data = analysis.answer_themes_cached(page, language=language)
    return sum(len(part["themes"]) for part in data["questions"].values())
