"""The monthly report of one agency, as PDF bytes (``portal.lib.pdf.render_pdf``)."""

from __future__ import annotations

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from grievances.monitoring.indicators import Period, Scope, Sensitive, compute
from grievances.monitoring.presentation import figures, period_label, sections
from portal.lib.pdf import render_pdf


def monthly_report_pdf(*, agency, period: Period, today: date, sensitive: Sensitive = Sensitive.HIDDEN) -> bytes:
    """One agency's indicators for ``period``: the same tables and charts as the dashboard.

    Charts are SVG ``data:`` images, which the PDF fetcher serves without
    touching the network or the disk.
    """
    data = figures(compute(Scope(agency_ids=(agency.pk,), period=period, today=today, sensitive=sensitive)))
    month = date_format(period.start, "YEAR_MONTH_FORMAT")
    title = _("Grievance report: %(agency)s, %(month)s") % {"agency": agency.localized_name, "month": month}
    return render_pdf(
        "grievances/monitoring/report_pdf.html",
        {
            "title": title,
            "issuer": agency.localized_name,
            "lang": get_language() or "en",
            "data": data,
            "period_label": period_label(data),
            "sections": sections(data),
            "sensitive_hidden": sensitive == Sensitive.HIDDEN,
        },
    )
