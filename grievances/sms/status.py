"""A case's state in one short text: what STATUS answers and what a notice of a change says."""

from __future__ import annotations

from django.utils.formats import date_format

from grievances.models import Grievance
from grievances.sms.texts import render
from grievances.workflow import Status


def day(value) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else "-"


def agency_name(grievance: Grievance, agency=None) -> str:
    # The name in the active language (the case's: callers override it), as the case page shows it.
    return (agency or grievance.agency).localized_name


def status_text(grievance: Grievance) -> str:
    """The state of ``grievance`` in the active language: the same facts as the case page, in one text."""
    values = {"reference": grievance.reference, "agency": agency_name(grievance)}
    match grievance.status:
        case Status.LODGED | Status.ACKNOWLEDGED:
            return render("status_received", date=day(grievance.resolve_due), **values)
        case Status.ASSIGNED | Status.IN_PROGRESS:
            return render("status_working", date=day(grievance.resolve_due), **values)
        case Status.AWAITING_COMPLAINANT:
            return render("status_awaiting", **values)
        case Status.REFERRED:
            target = grievance.referred_to or grievance.agency
            return render("status_referred", reference=grievance.reference, agency=agency_name(grievance, target))
        case Status.RESOLVED:
            if grievance.appeal_window_open:
                return render("status_resolved", date=day(grievance.appeal_due), **values)
            return render("status_resolved_final", **values)
        case Status.APPEALED:
            return render("status_appealed", reference=grievance.reference, date=day(grievance.appeal_decision_due))
        case Status.REJECTED:
            return render("status_rejected", **values)
        case Status.WITHDRAWN:
            return render("status_withdrawn", reference=grievance.reference)
    return render("status_closed", reference=grievance.reference)
