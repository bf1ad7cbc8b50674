"""What a case's state means, in plain words, for the person who raised it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from grievances.models import Grievance
from grievances.workflow import Status


@dataclass(frozen=True)
class Explanation:
    headline: str
    next_step: str


def _day(value) -> str:
    return date_format(value, "j F Y") if value else ""


def explain(grievance: Grievance) -> Explanation:
    agency = grievance.agency.localized_name
    due = _day(grievance.resolve_due)
    match grievance.status:
        case Status.LODGED | Status.ACKNOWLEDGED:
            return Explanation(
                _("We have received your grievance and sent it to %(agency)s.") % {"agency": agency},
                _("An officer will look at it and may contact you. You should have an answer by %(due)s.")
                % {"due": due},
            )
        case Status.ASSIGNED | Status.IN_PROGRESS:
            return Explanation(
                _("An officer at %(agency)s is working on your grievance.") % {"agency": agency},
                _("You should have an answer by %(due)s. You can add information below at any time.") % {"due": due},
            )
        case Status.AWAITING_COMPLAINANT:
            return Explanation(
                _("%(agency)s needs more information from you.") % {"agency": agency},
                _("Please answer the question below. The time limit is paused until you answer."),
            )
        case Status.REFERRED:
            return Explanation(
                _("Your grievance has been sent to another agency that is better placed to deal with it."),
                _("Its history goes with it. You will see here when they take it up."),
            )
        case Status.RESOLVED:
            return Explanation(
                _("%(agency)s has made a decision.") % {"agency": agency},
                _("Read the decision below. You can accept it, or appeal by %(date)s.")
                % {"date": _day(grievance.appeal_due)}
                if grievance.appeal_window_open
                else _("The time to appeal has ended."),
            )
        case Status.APPEALED:
            return Explanation(
                _("You have appealed the decision."),
                _("A supervisor who did not make the first decision will look at it and decide by %(date)s.")
                % {"date": _day(grievance.appeal_decision_due)},
            )
        case Status.CLOSED:
            return Explanation(_("This grievance is closed."), _("You can still read everything that happened."))
        case Status.REJECTED:
            return Explanation(
                _("%(agency)s found that this grievance is outside what it can deal with.") % {"agency": agency},
                _("The reasons are below."),
            )
        case Status.WITHDRAWN:
            return Explanation(_("You withdrew this grievance."), _("Nothing more will happen with it."))
    return Explanation(grievance.get_status_display(), "")
