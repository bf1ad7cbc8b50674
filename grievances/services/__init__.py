"""Every change to a grievance goes through here.

Each service is keyword-only, checks who may act, validates, writes the
change and its timeline event in one transaction, and announces it for
after the commit (``grievances.events``: live updates, queue counts and
webhooks subscribe there; e-mail and SMS are enqueued as tasks). The
modules follow the seams of the lifecycle; import the services from here.
"""

from grievances.services.access_log import grievance_record_access
from grievances.services.base import DECISION_MAX_LENGTH, DESCRIPTION_MAX_LENGTH, MESSAGE_MAX_LENGTH
from grievances.services.complainant import (
    grievance_accept,
    grievance_appeal,
    grievance_correct_contact,
    grievance_provide_information,
    grievance_reply,
    grievance_set_language,
    grievance_withdraw,
)
from grievances.services.escalation import deadlines_sweep, grievance_escalate
from grievances.services.lodging import (
    Lodged,
    Submission,
    grant_access_after_lodging,
    grievance_lodge,
    grievance_lodge_assisted,
    submission_claim,
    submission_settle,
)
from grievances.services.referral import grievance_accept_referral, grievance_refer, grievance_return_referral
from grievances.services.staff import (
    grievance_acknowledge,
    grievance_add_note,
    grievance_assign,
    grievance_close,
    grievance_decide_appeal,
    grievance_mark_duplicate,
    grievance_message,
    grievance_reopen,
    grievance_request_information,
    grievance_resolve,
    grievance_start,
    grievances_bulk_assign,
)

__all__ = [
    "DECISION_MAX_LENGTH",
    "DESCRIPTION_MAX_LENGTH",
    "MESSAGE_MAX_LENGTH",
    "Lodged",
    "Submission",
    "deadlines_sweep",
    "grant_access_after_lodging",
    "grievance_accept",
    "grievance_accept_referral",
    "grievance_acknowledge",
    "grievance_add_note",
    "grievance_appeal",
    "grievance_assign",
    "grievance_close",
    "grievance_correct_contact",
    "grievance_decide_appeal",
    "grievance_escalate",
    "grievance_lodge",
    "grievance_lodge_assisted",
    "grievance_mark_duplicate",
    "grievance_message",
    "grievance_provide_information",
    "grievance_record_access",
    "grievance_refer",
    "grievance_reopen",
    "grievance_reply",
    "grievance_request_information",
    "grievance_resolve",
    "grievance_return_referral",
    "grievance_set_language",
    "grievance_start",
    "grievance_withdraw",
    "grievances_bulk_assign",
    "submission_claim",
    "submission_settle",
]
