"""Referral between agencies: send a case on, and the receiver accepts or returns it.

The timeline and the deadlines travel with the case; the referring agency
keeps read-only sight of it through the referral rows.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grievances.models import CaseEvent, Grievance, Referral
from grievances.services.base import (
    agency_label,
    in_case_language,
    record,
    required_text,
    staff_lock,
    staff_save,
    write_event,
)
from grievances.workflow import ActionRefused, Status
from portal.models import Organization


@transaction.atomic
def grievance_refer(*, grievance: Grievance, user, to_agency: Organization, reasons: str, version: int) -> Referral:
    """Send the case to another agency, with reasons; it accepts or returns it.

    Until then the case stays with the referring agency on paper and its
    clock keeps running (the complainant is still waiting); the receiving
    agency sees it in its queue. The timeline and deadlines travel with it.
    """
    grievance, _actor = staff_lock(grievance, user=user, action="refer", version=version)
    if to_agency is None or to_agency.kind != Organization.Kind.GOVERNMENT:
        raise ValidationError({"to_agency": _("Please choose the agency to refer the case to.")})
    if to_agency.pk == grievance.agency_id:
        raise ValidationError({"to_agency": _("The case is already with this agency.")})
    reasons = required_text(reasons, field="reasons", message=_("Please say why the other agency should take it."))
    referral = Referral.objects.create(
        grievance=grievance,
        from_agency=grievance.agency,
        to_agency=to_agency,
        reasons=reasons,
        referred_by=user,
        status_before=grievance.status,
    )
    grievance.status = Status.REFERRED
    grievance.referred_to = to_agency
    staff_save(grievance, "status", "referred_to")
    with in_case_language(grievance):
        body = _("Sent to %(agency)s.") % {"agency": agency_label(grievance, to_agency)}
    record(
        grievance,
        CaseEvent.Kind.REFERRED,
        public=True,
        actor=user,
        actor_label=agency_label(grievance),
        body=body,
        payload={"referral": referral.pk, "to_agency": to_agency.pk},
    )
    write_event(
        grievance, CaseEvent.Kind.NOTE, public=False, actor=user, actor_label=user.get_full_name(), body=reasons
    )
    # The announcement above reaches the receiving agency's queue too (``referred_to``).
    return referral


def _pending_referral(grievance: Grievance) -> Referral:
    referral = (
        Referral.objects.select_for_update()
        .filter(grievance=grievance, outcome=Referral.Outcome.PENDING)
        .order_by("-created_at")
        .first()
    )
    if referral is None:  # pragma: no cover - the status says there is one
        raise ActionRefused(_("This case has no pending referral."))
    return referral


@transaction.atomic
def grievance_accept_referral(*, grievance: Grievance, user, version: int) -> CaseEvent:
    """The receiving agency takes the case over: it joins its queue, unassigned.

    The referring agency keeps read-only sight (through the referral row).
    """
    grievance, _actor = staff_lock(grievance, user=user, action="accept_referral", version=version)
    referral = _pending_referral(grievance)
    referral.outcome = Referral.Outcome.ACCEPTED
    referral.decided_by = user
    referral.decided_at = timezone.now()
    referral.save(update_fields=["outcome", "decided_by", "decided_at"])
    previous_agency = grievance.agency_id
    grievance.agency = referral.to_agency
    grievance.referred_to = None
    grievance.assignee = None
    grievance.status = Status.ACKNOWLEDGED
    staff_save(grievance, "agency", "referred_to", "assignee", "status")
    with in_case_language(grievance):
        body = _("%(agency)s has taken up your grievance.") % {"agency": agency_label(grievance)}
    event = record(
        grievance,
        CaseEvent.Kind.REFERRAL_ACCEPTED,
        public=True,
        actor=user,
        actor_label=agency_label(grievance),
        body=body,
        payload={"referral": referral.pk, "from_agency": previous_agency},
        left=(previous_agency,),  # the row leaves the queue it was in
    )
    return event


@transaction.atomic
def grievance_return_referral(*, grievance: Grievance, user, reasons: str, version: int) -> CaseEvent:
    """The receiving agency sends the case back, with reasons; it resumes where it was."""
    grievance, _actor = staff_lock(grievance, user=user, action="return_referral", version=version)
    reasons = required_text(reasons, field="reasons", message=_("Please say why you are returning the case."))
    referral = _pending_referral(grievance)
    referral.outcome = Referral.Outcome.RETURNED
    referral.outcome_reasons = reasons
    referral.decided_by = user
    referral.decided_at = timezone.now()
    referral.save(update_fields=["outcome", "outcome_reasons", "decided_by", "decided_at"])
    receiving = referral.to_agency
    grievance.referred_to = None
    # Back where it was; a case referred before assignment stays unassigned.
    grievance.status = referral.status_before if referral.status_before != Status.REFERRED else Status.IN_PROGRESS
    staff_save(grievance, "referred_to", "status")
    with in_case_language(grievance):
        body = _("%(agency)s will continue to handle your grievance.") % {"agency": agency_label(grievance)}
    event = record(
        grievance,
        CaseEvent.Kind.REFERRAL_RETURNED,
        public=True,
        actor=user,
        actor_label=agency_label(grievance, receiving),
        body=body,
        payload={"referral": referral.pk},
        left=(receiving.pk,),  # the row leaves the queue it was in
    )
    write_event(
        grievance, CaseEvent.Kind.NOTE, public=False, actor=user, actor_label=user.get_full_name(), body=reasons
    )
    return event
