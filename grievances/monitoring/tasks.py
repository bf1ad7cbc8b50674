"""The monthly report, rendered and e-mailed to each agency's supervisors and head."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.core.mail import EmailMessage
from django.tasks import task
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from grievances.monitoring.indicators import Period, Sensitive
from grievances.monitoring.reports import monthly_report_pdf
from portal.models import Membership, Organization

logger = logging.getLogger(__name__)

REPORT_ROLES = ("supervisor", "admin")


def last_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def report_recipients(agency_id: int) -> list[str]:
    return sorted(
        set(
            Membership.objects.active()
            .filter(organization_id=agency_id, role__in=REPORT_ROLES, user__is_active=True)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


@task
def send_monthly_report(agency_id: int, month: str) -> int:
    """Render ``agency_id``'s report for ``month`` (``YYYY-MM``) and e-mail it; returns the recipients.

    Sent to several people at once, it leaves sensitive categories out, as
    the dashboard does for anyone who is not a focal point.
    """
    agency = Organization.objects.get(pk=agency_id)
    recipients = report_recipients(agency_id)
    if not recipients:
        return 0
    first = date.fromisoformat(f"{month}-01")
    pdf = monthly_report_pdf(
        agency=agency, period=Period.month(first), today=timezone.localdate(), sensitive=Sensitive.HIDDEN
    )
    shown_month = date_format(first, "YEAR_MONTH_FORMAT")  # "November 2026", in the language's words
    message = EmailMessage(
        subject=_("Grievance report for %(month)s: %(agency)s")
        % {"month": shown_month, "agency": agency.localized_name},
        body=_("The monthly grievance report of %(agency)s for %(month)s is attached.")
        % {"agency": agency.localized_name, "month": shown_month},
        to=recipients,
    )
    message.attach(f"report-{agency.slug}-{month}.pdf", pdf, "application/pdf")
    message.send()
    logger.info("monthly report %s for %s sent to %s people", month, agency.slug, len(recipients))
    return len(recipients)


def enqueue_monthly_reports(month: str | None = None) -> int:
    """One task per government agency that has someone to receive its report."""
    month = month or f"{last_month(timezone.localdate()):%Y-%m}"
    agencies = (
        Membership.objects.active()
        .filter(role__in=REPORT_ROLES, organization__kind=Organization.Kind.GOVERNMENT)
        .values_list("organization_id", flat=True)
        .distinct()
    )
    count = 0
    for agency_id in sorted(set(agencies)):
        send_monthly_report.enqueue(agency_id, month)
        count += 1
    return count
