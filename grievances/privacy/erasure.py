"""Erasure requests: the complainant asks, a supervisor decides within the deadline, the complainant is told.

The rules, as the complainant reads them on the request page: an open case
must finish first (the agency cannot handle a case without knowing whom to
answer); what the agency must keep by law (the case, its decision, its dates)
stays, anonymised, exactly as the retention sweep leaves it. The request is
made from the case page, so it needs the same reference + PIN capability as
tracking (and its bounds on guessing).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grievances import rules
from grievances.models import CaseEvent, Grievance
from grievances.privacy.models import Anonymisation, ErasureRequest, LegalHold
from grievances.privacy.services import grievances_anonymise
from grievances.privacy.tasks import send_erasure_decision
from grievances.workflow import CLOSED_STATES
from portal.lib.sealed import seal
from portal.lib.text import clean_text

DECISION_DAYS = 30  # the laws of the region give 30 days or less to answer
NOTICE_SEAL_PURPOSE = "erasure-notice"


def _event(grievance: Grievance, kind: str, *, user, by_complainant: bool, body: str = "") -> CaseEvent:
    return CaseEvent.objects.create(
        grievance=grievance,
        kind=kind,
        public=True,
        actor=user if user is not None and user.is_authenticated else None,
        actor_label=_("Complainant") if by_complainant else grievance.agency.name,
        by_complainant=by_complainant,
        body=body,
        status_after=grievance.status,
    )


@transaction.atomic
def erasure_request(*, grievance: Grievance, user=None) -> ErasureRequest:
    """The complainant asks for their personal data in this case to be erased (on the timeline)."""
    grievance = Grievance.objects.select_for_update(of=("self",)).select_related("agency").get(pk=grievance.pk)
    if Anonymisation.objects.filter(grievance=grievance).exists():
        raise ValidationError(_("Your personal data in this grievance has already been removed."))
    if ErasureRequest.objects.filter(grievance=grievance, state=ErasureRequest.State.PENDING).exists():
        raise ValidationError(_("You have already asked for this; the agency will answer by the date shown."))
    request = ErasureRequest.objects.create(
        grievance=grievance,
        requested_by=user if user is not None and user.is_authenticated else None,
        due_on=timezone.localdate() + timedelta(days=DECISION_DAYS),
    )
    _event(grievance, CaseEvent.Kind.ERASURE_REQUESTED, user=user, by_complainant=True)
    return request


@transaction.atomic
def erasure_decide(*, request: ErasureRequest, user, approve: bool, reasons: str = "") -> ErasureRequest:
    """A supervisor of the case's agency approves (the case is anonymised now) or refuses, with reasons."""
    request = ErasureRequest.objects.select_for_update().select_related("grievance__agency").get(pk=request.pk)
    grievance = request.grievance
    if not Grievance.objects.visible_to(user).filter(pk=grievance.pk).exists() or not rules.is_supervisor_of(
        user, rules.acting_agency_id(grievance)
    ):
        raise PermissionDenied(_("Only a supervisor of the agency handling this case can do this."))
    if request.state != ErasureRequest.State.PENDING:
        raise ValidationError(_("This request has already been decided."))
    reasons = clean_text(reasons, limit=2000, field="reasons")
    if approve:
        if grievance.is_open:
            raise ValidationError(_("The case is still open: close it first, then approve the erasure."))
        if LegalHold.objects.filter(grievance=grievance, lifted_at__isnull=True).exists():
            raise ValidationError(_("The case is on legal hold: lift the hold first, or refuse with the reason."))
    elif not reasons:
        raise ValidationError({"reasons": _("Please give the reasons for refusing.")})
    # Told before the address is removed; the address travels sealed through the task queue.
    address = grievance.contact_email or (grievance.complainant.email if grievance.complainant_id else "")
    request.state = ErasureRequest.State.APPROVED if approve else ErasureRequest.State.REFUSED
    request.decided_by, request.decided_at, request.decision_reasons = user, timezone.now(), reasons
    request.save(update_fields=["state", "decided_by", "decided_at", "decision_reasons"])
    _event(grievance, CaseEvent.Kind.ERASURE_DECIDED, user=user, by_complainant=False, body=reasons)
    if approve and not grievances_anonymise(ids=[grievance.pk], reason=Anonymisation.Reason.ERASURE_REQUEST, by=user):
        raise ValidationError(_("The case could not be anonymised now (another change is in progress); try again."))
    if address:
        sealed = seal(address, purpose=NOTICE_SEAL_PURPOSE)
        transaction.on_commit(
            lambda: send_erasure_decision.enqueue(sealed, grievance.language, grievance.reference, approve, reasons)
        )
    return request


def account_erase(user) -> dict[str, int]:
    """Before an account is deleted: anonymise the closed cases it lodged, ask for the open ones' erasure.

    Runs inside the deletion's transaction (``portal.registry.account_deleting``).
    Open cases, or cases on legal hold, get a pending erasure request for a
    supervisor to decide when they can; their link to the account goes with it.
    """
    owned = Grievance.objects.filter(complainant=user, anonymisation__isnull=True)
    # Cases on legal hold are left out by the anonymisation itself, and get a request below.
    closed = list(owned.filter(status__in=CLOSED_STATES).values_list("pk", flat=True))
    done = grievances_anonymise(ids=closed, reason=Anonymisation.Reason.ACCOUNT_DELETED) if closed else []
    requested = 0
    for grievance in owned.exclude(pk__in=done).select_related("agency"):
        if not ErasureRequest.objects.filter(grievance=grievance, state=ErasureRequest.State.PENDING).exists():
            ErasureRequest.objects.create(
                grievance=grievance, due_on=timezone.localdate() + timedelta(days=DECISION_DAYS)
            )
            _event(grievance, CaseEvent.Kind.ERASURE_REQUESTED, user=None, by_complainant=True)
            requested += 1
    return {"anonymised": len(done), "requested": requested}
