"""E-mail to supervisors: cases of their agency will be anonymised within the warning period."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

from portal.lib.sealed import SealBroken, unseal
from portal.models import Membership, Organization, SentMessage


@task
def send_retention_warning(agency_id: int, references: list[str], day: str) -> int:
    """One e-mail per supervisor of the agency, naming the cases by reference only (never their content)."""
    agency = Organization.objects.get(pk=agency_id)
    site = settings.SITE_URL.rstrip("/")
    supervisors = (
        Membership.objects.active()
        .filter(organization=agency, role__in=(Membership.Role.SUPERVISOR, Membership.Role.ADMIN))
        .select_related("user")
    )
    sent = 0
    for membership in supervisors:
        user = membership.user
        if not user.is_active or not user.email:
            continue
        with SentMessage.claim(f"retention-warning:{agency_id}:{day}:{user.pk}") as first:
            if not first:
                continue
            with translation.override(user.preferred_language):
                context = {"agency": agency, "references": references, "site_url": site, "count": len(references)}
                subject = render_to_string("grievances/privacy/email/warning_subject.txt", context).strip()
                body = render_to_string("grievances/privacy/email/warning.txt", context)
            EmailMessage(subject=subject, body=body, to=[user.email]).send()
        sent += 1
    return sent


@task
def send_erasure_decision(sealed_address: str, language: str, reference: str, approved: bool, reasons: str) -> int:
    """Tell the complainant how their erasure request was decided (the address arrives sealed)."""
    try:
        address = unseal(sealed_address, purpose="erasure-notice", max_age_seconds=7 * 24 * 3600)
    except SealBroken:
        return 0
    with SentMessage.claim(f"erasure-decision:{reference}") as first:
        if not first:
            return 0
        with translation.override(language):
            context = {"reference": reference, "approved": approved, "reasons": reasons}
            subject = render_to_string("grievances/privacy/email/erasure_subject.txt", context).strip()
            body = render_to_string("grievances/privacy/email/erasure.txt", context)
        EmailMessage(subject=subject, body=body, to=[address]).send()
    return 1
