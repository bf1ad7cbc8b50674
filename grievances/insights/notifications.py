"""The notice to an agency's supervisors when one of its themes starts emerging.

Sent by the task worker after a refresh commits, one e-mail per supervisor,
agency, theme label and ISO week (themes are recomputed every hour; the notice
is not). It names the theme by its glossary label and links to the themes
page: never a case's words, never a complainant. A theme counts for an agency
only through its cases outside sensitive categories, so a notice reveals
nothing a supervisor who is not a focal point could not see.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation

from grievances.insights.labels import theme_label
from grievances.insights.models import Membership, Theme
from grievances.models import SENSITIVE, Grievance
from grievances.rules import ROLE_ACTOR
from grievances.workflow import SUPERVISOR
from portal.models import Membership as Role
from portal.models import SentMessage


@task
def notify_emerging(theme_ids: list[int]) -> int:
    """E-mail the supervisors of each agency with (non-sensitive) cases in an emerging theme; returns how many."""
    site = settings.SITE_URL.rstrip("/")
    week = "{}-W{:02d}".format(*timezone.localdate().isocalendar()[:2])
    sent = 0
    for theme in Theme.objects.filter(pk__in=theme_ids, emerging=True):
        members = Membership.objects.filter(theme=theme).values("grievance_id")
        agencies = set(
            Grievance.objects.filter(pk__in=members).exclude(SENSITIVE).values_list("agency_id", flat=True).distinct()
        )
        supervisors = (
            Role.objects.filter(organization_id__in=agencies, user__is_active=True)
            .exclude(user__email="")
            .select_related("user", "organization")
        )
        for role in supervisors:
            if ROLE_ACTOR.get(role.role) != SUPERVISOR:
                continue
            user = role.user
            key = f"insights-emerging:{role.organization_id}:{'+'.join(theme.concepts)}:{week}:{user.pk}"
            with SentMessage.claim(key) as first:
                if not first:
                    continue
                with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
                    context = {"label": theme_label(theme.concepts), "agency": role.organization, "site_url": site}
                    subject = render_to_string("grievances/insights/email/emerging_subject.txt", context).strip()
                    body = render_to_string("grievances/insights/email/emerging.txt", context)
                EmailMessage(subject=subject, body=body, to=[user.email]).send()
            sent += 1
    return sent
