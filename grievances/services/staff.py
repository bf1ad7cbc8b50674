"""The agency's steps on a case: acknowledge, assign, work, ask, decide, close, reopen, link duplicates.

Every one takes the ``version`` the officer's form was made from and is
refused when the case moved on meanwhile (``base.staff_lock``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grievances import rules
from grievances.models import CaseEvent, Grievance
from grievances.services.base import (
    DECISION_MAX_LENGTH,
    MESSAGE_MAX_LENGTH,
    agency_label,
    holidays_from,
    offered_language,
    record,
    required_text,
    staff_lock,
    staff_save,
    write_event,
)
from grievances.workdays import add_working_days
from grievances.workflow import ActionRefused, Status
from portal.lib.text import clean_text


@transaction.atomic
def grievance_acknowledge(*, grievance: Grievance, user, version: int) -> CaseEvent:
    """Acknowledge a case that arrived without one (cases lodged online are acknowledged at once)."""
    grievance, _actor = staff_lock(grievance, user=user, action="acknowledge", version=version)
    grievance.status = Status.ACKNOWLEDGED
    grievance.acknowledged_at = timezone.now()
    staff_save(grievance, "status", "acknowledged_at")
    event = record(grievance, CaseEvent.Kind.ACKNOWLEDGED, public=True, actor=user, actor_label=agency_label(grievance))
    return event


def _assignable(grievance: Grievance, assignee) -> bool:
    """The assignee must be able to act on the case themselves (focal point for sensitive cases)."""
    return assignee is not None and rules.actor_for(assignee, grievance) is not None


@transaction.atomic
def grievance_assign(*, grievance: Grievance, user, assignee, version: int) -> CaseEvent:
    """Assign (or reassign) the case to an officer of the agency acting on it.

    Officers may take an unassigned case for themselves; supervisors assign
    anyone. The first assignment moves an acknowledged case to "assigned".
    """
    grievance, _actor = staff_lock(grievance, user=user, action="assign", version=version)
    if not _assignable(grievance, assignee):
        raise ValidationError({"assignee": _("This person cannot handle this case.")})
    if not rules.can_assign_to(user, grievance, assignee):
        raise ActionRefused(_("Only a supervisor can give a case to someone else or take it from them."))
    if grievance.assignee_id == assignee.pk:
        raise ValidationError({"assignee": _("The case is already assigned to this person.")})
    previous = grievance.assignee_id
    grievance.assignee = assignee
    if grievance.status in (Status.LODGED, Status.ACKNOWLEDGED):
        grievance.status = Status.ASSIGNED
    staff_save(grievance, "assignee", "status")
    event = record(
        grievance,
        CaseEvent.Kind.ASSIGNED,
        public=False,
        actor=user,
        actor_label=user.get_full_name(),
        body=assignee.get_full_name(),
        payload={"assignee": assignee.pk, "previous": previous},
    )
    return event


def grievances_bulk_assign(*, user, items: Sequence[tuple[Grievance, int]], assignee) -> tuple[list, list]:
    """Assign several cases, each in its own transaction with its own version check.

    Returns ``(assigned, refused)``: refused is a list of ``(grievance, reason)``;
    one stale or forbidden row does not undo the others.
    """
    assigned, refused = [], []
    for grievance, version in items:
        try:
            grievance_assign(grievance=grievance, user=user, assignee=assignee, version=version)
        except (ActionRefused, ValidationError) as error:
            refused.append((grievance, " ".join(getattr(error, "messages", [str(error)]))))
        else:
            assigned.append(grievance)
    return assigned, refused


@transaction.atomic
def grievance_start(*, grievance: Grievance, user, version: int) -> CaseEvent:
    """Mark the case as being worked on (the complainant sees "in progress")."""
    grievance, _actor = staff_lock(grievance, user=user, action="start", version=version)
    grievance.status = Status.IN_PROGRESS
    staff_save(grievance, "status")
    event = record(
        grievance, CaseEvent.Kind.STATUS_CHANGED, public=True, actor=user, actor_label=agency_label(grievance)
    )
    return event


def _staff_text(
    grievance: Grievance,
    *,
    user,
    version: int,
    action: str,
    body: str,
    empty: str,
    kind: str,
    status: str = "",
    language: str = "",
) -> CaseEvent:
    """A note, message or question: check, take the text, move the status if asked, record it.

    An internal text is signed with the officer's name; one the complainant
    reads is signed with the agency's (see ``_agency_label``). ``language`` is
    the language the officer wrote in, so that pages mark the text with it.
    """
    payload = {"language": offered_language(language)} if language else {}
    grievance, _actor = staff_lock(grievance, user=user, action=action, version=version)
    body = required_text(body, field="body", message=empty)
    if status:
        grievance.status = status
    staff_save(grievance, *(["status"] if status else []))
    public = kind != CaseEvent.Kind.NOTE
    label = agency_label(grievance) if public else user.get_full_name()
    return record(grievance, kind, public=public, actor=user, actor_label=label, body=body, payload=payload)


@transaction.atomic
def grievance_add_note(*, grievance: Grievance, user, body: str, version: int, language: str = "") -> CaseEvent:
    """An internal note: staff only, never shown to the complainant."""
    return _staff_text(
        grievance,
        user=user,
        version=version,
        action="note",
        body=body,
        language=language,
        empty=_("Please write the note."),
        kind=CaseEvent.Kind.NOTE,
    )


@transaction.atomic
def grievance_message(*, grievance: Grievance, user, body: str, version: int, language: str = "") -> CaseEvent:
    """A message to the complainant, shown on their page under the agency's name."""
    return _staff_text(
        grievance,
        user=user,
        version=version,
        action="message",
        body=body,
        language=language,
        empty=_("Please write the message."),
        kind=CaseEvent.Kind.MESSAGE_TO_COMPLAINANT,
    )


@transaction.atomic
def grievance_request_information(
    *, grievance: Grievance, user, body: str, version: int, language: str = ""
) -> CaseEvent:
    """Ask the complainant a question; the deadline clock pauses until they answer.

    The pause is applied when the answer arrives
    (:func:`grievance_provide_information` moves the resolve-by date later
    by the working days waited); meanwhile the case shows as "paused".
    """
    return _staff_text(
        grievance,
        user=user,
        version=version,
        action="request_information",
        body=body,
        language=language,
        empty=_("Please write the question for the complainant."),
        kind=CaseEvent.Kind.INFORMATION_REQUESTED,
        status=Status.AWAITING_COMPLAINANT,
    )


@transaction.atomic
def grievance_resolve(
    *, grievance: Grievance, user, decision: str, reasons: str, remedy: str = "", version: int
) -> CaseEvent:
    """Decide the case: upheld, partly upheld, not upheld (then the appeal window opens) or out of scope.

    "Out of scope" ends the case as rejected, with its reasons.
    """
    if decision not in Grievance.Decision.values:
        raise ValidationError({"decision": _("Please choose a decision.")})
    action = "reject" if decision == Grievance.Decision.OUT_OF_SCOPE else "resolve"
    grievance, _actor = staff_lock(grievance, user=user, action=action, version=version)
    reasons = required_text(
        reasons, field="reasons", message=_("Please give the reasons for the decision."), limit=DECISION_MAX_LENGTH
    )
    remedy = clean_text(remedy, limit=DECISION_MAX_LENGTH, field="remedy")
    if decision in (Grievance.Decision.UPHELD, Grievance.Decision.PARTLY_UPHELD) and not remedy:
        raise ValidationError({"remedy": _("Please say what will be done for the complainant.")})
    now = timezone.now()
    grievance.decision, grievance.decision_reasons, grievance.remedy = decision, reasons, remedy
    grievance.decided_by = user
    grievance.resolved_at = now
    fields = ["decision", "decision_reasons", "remedy", "decided_by", "resolved_at", "status"]
    if action == "reject":
        grievance.status = Status.REJECTED
        grievance.closed_at = now
        fields.append("closed_at")
    else:
        grievance.status = Status.RESOLVED
        policy = grievance.category.effective_sla_policy()
        grievance.appeal_due = timezone.localdate(now) + timedelta(days=policy.appeal_window_days)
        fields.append("appeal_due")
    staff_save(grievance, *fields)
    body = reasons + (f"\n\n{remedy}" if remedy else "")
    event = record(
        grievance,
        CaseEvent.Kind.RESOLVED,
        public=True,
        actor=user,
        actor_label=agency_label(grievance),
        body=body,
        payload={"decision": decision, "appeal_due": str(grievance.appeal_due or "")},
    )
    return event


@transaction.atomic
def grievance_close(*, grievance: Grievance, user, version: int, reason: str = "") -> CaseEvent:
    """Close a decided case (the complainant did not answer within the appeal window, or agreed by phone)."""
    grievance, _actor = staff_lock(grievance, user=user, action="close", version=version)
    grievance.status = Status.CLOSED
    grievance.closed_at = timezone.now()
    staff_save(grievance, "status", "closed_at")
    event = record(
        grievance,
        CaseEvent.Kind.CLOSED,
        public=True,
        actor=user,
        actor_label=agency_label(grievance),
        body=clean_text(reason, limit=MESSAGE_MAX_LENGTH, field="reason"),
    )
    return event


@transaction.atomic
def grievance_decide_appeal(*, grievance: Grievance, user, upheld: bool, reasons: str, version: int) -> CaseEvent:
    """Decide an appeal (a supervisor, or the appeal officer a supervisor assigned, never the first decider).

    Upheld: the reasons say what changes and the case closes with that
    remedy; dismissed: the first decision stands and the case closes.
    """
    grievance, _actor = staff_lock(grievance, user=user, action="decide_appeal", version=version)
    reasons = required_text(
        reasons,
        field="reasons",
        message=_("Please give the reasons for the appeal decision."),
        limit=DECISION_MAX_LENGTH,
    )
    grievance.status = Status.CLOSED
    grievance.closed_at = timezone.now()
    fields = ["status", "closed_at"]
    if upheld:
        grievance.remedy = reasons
        fields.append("remedy")
    staff_save(grievance, *fields)
    event = record(
        grievance,
        CaseEvent.Kind.APPEAL_DECIDED,
        public=True,
        actor=user,
        actor_label=agency_label(grievance),
        body=reasons,
        payload={"upheld": bool(upheld)},
    )
    return event


@transaction.atomic
def grievance_reopen(*, grievance: Grievance, user, reason: str, version: int) -> CaseEvent:
    """A supervisor reopens a decided or closed case; it is worked again with a fresh deadline."""
    grievance, _actor = staff_lock(grievance, user=user, action="reopen", version=version)
    reason = required_text(reason, field="reason", message=_("Please say why the case is reopened."))
    policy = grievance.category.effective_sla_policy()
    today_ = timezone.localdate()
    grievance.status = Status.IN_PROGRESS
    grievance.closed_at = None
    grievance.duplicate_of = None
    grievance.resolve_due = add_working_days(today_, policy.resolve_days, holidays_from(today_))
    staff_save(grievance, "status", "closed_at", "duplicate_of", "resolve_due")
    event = record(
        grievance,
        CaseEvent.Kind.REOPENED,
        public=True,
        actor=user,
        actor_label=agency_label(grievance),
        body=reason,
        payload={"resolve_due": grievance.resolve_due.isoformat()},
    )
    return event


@transaction.atomic
def grievance_mark_duplicate(*, grievance: Grievance, user, original: Grievance, version: int) -> CaseEvent:
    """Close ``grievance`` as a duplicate of ``original``; both timelines link to the other.

    The complainant reads that their grievance is handled together with
    another one, never the other case's reference (it is someone else's).
    """
    grievance, _actor = staff_lock(grievance, user=user, action="mark_duplicate", version=version)
    if original is None or original.pk == grievance.pk:
        raise ValidationError({"original": _("Please give the reference of another case.")})
    # The original must be a case this person may see, and not itself a duplicate.
    original = Grievance.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=original.pk).first()
    if original is None:
        raise ValidationError({"original": _("No case you can see has this reference.")})
    if original.duplicate_of_id:
        raise ValidationError({"original": _("That case is itself a duplicate; link to the case it duplicates.")})
    grievance.status = Status.CLOSED
    grievance.closed_at = timezone.now()
    grievance.duplicate_of = original
    staff_save(grievance, "status", "closed_at", "duplicate_of")
    event = record(
        grievance,
        CaseEvent.Kind.DUPLICATE,
        public=True,
        actor=user,
        actor_label=agency_label(grievance),
        body=_("The same matter was raised in another grievance; it is handled there, together with yours."),
        payload={"original": original.pk, "original_reference": original.reference},
    )
    write_event(
        original,
        CaseEvent.Kind.DUPLICATE_LINKED,
        public=False,
        actor=user,
        actor_label=user.get_full_name(),
        body=grievance.reference,
        payload={"duplicate": grievance.pk, "duplicate_reference": grievance.reference},
    )
    Grievance.objects.filter(pk=original.pk).update(version=models.F("version") + 1)
    return event
