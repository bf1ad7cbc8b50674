"""Every change to a grievance goes through here.

Each service is keyword-only, checks who may act, validates, writes the
change and its timeline event in one transaction, and schedules what follows
(live updates, e-mail, SMS) for after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grievances import access, live, sla
from grievances.api import webhooks
from grievances.models import (
    Attachment,
    CaseAccess,
    CaseEvent,
    Category,
    Grievance,
    Programme,
    Referral,
    Region,
)
from grievances.pins import generate_pin, hash_pin
from grievances.references import generate_reference
from grievances.workdays import add_working_days, working_days_between
from grievances.workflow import COMPLAINANT, ActionRefused, StaleCase, Status, check_action
from grievances.workspace import rules
from portal.lib.sealed import seal
from portal.lib.uploads import CleanUpload, save_private
from portal.models import Membership, Organization
from portal.rules import can_act_for

logger = logging.getLogger(__name__)

DESCRIPTION_MAX_LENGTH = 5000
MESSAGE_MAX_LENGTH = 5000
REFERENCE_ATTEMPTS = 8
PIN_SEAL_PURPOSE = "grievance-pin"


@dataclass(frozen=True)
class Lodged:
    grievance: Grievance
    pin: str  # shown once, never stored in clear


# Deadlines are at most a few months out; a year of holidays covers them.
HOLIDAY_HORIZON = timedelta(days=400)


def _holidays_from(start: date) -> set[date]:
    return sla.holidays_between(start, start + HOLIDAY_HORIZON)


def _clean_text(text: str, *, limit: int, field: str) -> str:
    # NUL bytes cannot be stored by PostgreSQL and are never meant: drop them.
    text = (text or "").replace("\x00", "").strip()
    if len(text) > limit:
        raise ValidationError(
            {
                field: _("Please keep this to %(limit)s characters; it has %(count)s.")
                % {"limit": f"{limit:,}", "count": f"{len(text):,}"}
            }
        )
    return text


def _event(
    grievance: Grievance,
    kind: str,
    *,
    public: bool,
    actor=None,
    actor_label: str = "",
    by_complainant=False,
    body: str = "",
    payload: dict | None = None,
) -> CaseEvent:
    event = CaseEvent.objects.create(
        grievance=grievance,
        kind=kind,
        public=public,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=actor_label,
        by_complainant=by_complainant,
        body=body,
        payload=payload or {},
        status_after=grievance.status,
    )
    # The queue's "last activity" column, kept on the case so that a page of
    # rows never asks the timeline.
    Grievance.objects.filter(pk=grievance.pk).update(last_activity_at=event.created_at)
    return event


def _attach(grievance: Grievance, event: CaseEvent, uploads: Sequence[CleanUpload]) -> None:
    for upload in uploads:
        Attachment.objects.create(
            grievance=grievance,
            event=event,
            storage_name=save_private(upload, prefix="grievances"),
            display_name=upload.display_name,
            content_type=upload.content_type,
            size=upload.size,
            sha256=upload.sha256,
        )


def _record(grievance: Grievance, kind: str, **fields) -> CaseEvent:
    """Write a timeline event and announce it after commit (most changes do both)."""
    event = _event(grievance, kind, **fields)
    _announce(grievance, event)
    webhooks.schedule_fan_out(grievance, event)
    return event


def _announce(grievance: Grievance, event: CaseEvent) -> None:
    """Tell the case's streams (and the queues of the agencies it concerns) after commit.

    The payloads are rendered from the committed rows by the pages' own
    fragments (``grievances.live``).
    """
    live.announce(grievance, event)
    _queue_changed(grievance.agency_id)


def _queue_changed(agency_id: int) -> None:
    """After commit, move the agency's queue version on, so its cached tab counts are recounted."""

    def bump():
        key = f"queue-version:{agency_id}"
        try:
            cache.incr(key)
        except ValueError:  # not there yet (or evicted)
            cache.set(key, 1, None)

    transaction.on_commit(bump)


def _lock(grievance: Grievance) -> Grievance:
    """Re-read the case under a row lock, so two changes never interleave."""
    return Grievance.objects.select_for_update().get(pk=grievance.pk)


def _complainant_label(grievance: Grievance) -> str:
    if grievance.lodged_by_organization_id:
        return grievance.lodged_by_organization.name
    return _("Complainant")


# --- lodging --------------------------------------------------------------------


@transaction.atomic
def grievance_lodge(
    *,
    category: Category,
    description: str,
    contact_preference: str,
    confidentiality: str = Grievance.Confidentiality.STANDARD,
    complainant=None,
    anonymous: bool = False,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    occurred_on: date | None = None,
    programme: Programme | None = None,
    region: Region | None = None,
    sex_gender: str = Grievance.SexGender.NOT_GIVEN,
    attachments: Sequence[CleanUpload] = (),
    channel: str = Grievance.Channel.WEB,
    lodged_by=None,
    lodged_by_organization=None,
    member_name: str = "",
    member_account=None,
    member_identity_withheld: bool = False,
    consent_given: bool = False,
    people_affected: int = 1,
    language: str = "en",
    recorded_by=None,
) -> Lodged:
    """Record a new grievance, route it to its agency and acknowledge it.

    Returns the case and its PIN, which exists in clear only in the return
    value (shown once) and, sealed, in the acknowledgement task.
    """
    description = _clean_text(description, limit=DESCRIPTION_MAX_LENGTH, field="description")
    if not description:
        raise ValidationError({"description": _("Please tell us what happened.")})
    if not category.active or category.parent_id is None:
        raise ValidationError({"category": _("Please choose what your grievance is about.")})
    agency = category.routed_agency()
    if agency is None:
        raise ValidationError({"category": _("This category cannot take grievances yet; please choose another.")})
    if occurred_on and occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("This date is in the future.")})

    if lodged_by_organization is not None:
        # The mandate is checked here, at submission, not only when the form was shown.
        if not can_act_for(lodged_by, lodged_by_organization):
            raise PermissionDenied(_("You are not a representative of this organization."))
        if not consent_given:
            raise ValidationError({"consent": _("Please confirm that the people concerned agreed to this.")})
        if member_account is not None:
            if (
                not Membership.objects.active()
                .filter(user=member_account, organization=lodged_by_organization)
                .exists()
            ):
                raise ValidationError({"member_account": _("This person is not a member of the organization.")})
            # The member follows their own grievance from their page.
            complainant = member_account
            member_name = member_name or member_account.get_full_name()
        channel = Grievance.Channel.ON_BEHALF

    if anonymous:
        # Nothing that identifies the person is kept, not even the account.
        complainant = None
        contact_name = contact_phone = contact_email = ""
        contact_preference = Grievance.Contact.NONE
    elif contact_preference == Grievance.Contact.PHONE and not contact_phone.strip():
        raise ValidationError({"contact_phone": _("Please give a phone number, or choose another way to reach you.")})
    elif contact_preference == Grievance.Contact.EMAIL and not contact_email.strip():
        raise ValidationError({"contact_email": _("Please give an e-mail address, or choose another way.")})
    elif contact_preference == Grievance.Contact.ACCOUNT and complainant is None and lodged_by is None:
        raise ValidationError({"contact_preference": _("Sign in to be contacted through your account.")})

    policy = category.effective_sla_policy()
    now = timezone.now()
    lodged_day = timezone.localdate(now)
    holidays = _holidays_from(lodged_day)
    pin = generate_pin()
    grievance = Grievance(
        pin_hash=hash_pin(pin),
        status=Status.ACKNOWLEDGED,
        category=category,
        agency=agency,
        channel=channel,
        language=language,
        complainant=complainant,
        anonymous=anonymous,
        confidentiality=confidentiality,
        contact_preference=contact_preference,
        contact_name=_clean_text(contact_name, limit=150, field="contact_name"),
        contact_phone=contact_phone.strip(),
        contact_email=contact_email.strip(),
        lodged_by=lodged_by if lodged_by_organization is not None else None,
        lodged_by_organization=lodged_by_organization,
        member_name=_clean_text(member_name, limit=150, field="member_name"),
        member_identity_withheld=member_identity_withheld,
        consent_recorded_at=now if lodged_by_organization is not None else None,
        people_affected=max(1, people_affected),
        description=description,
        occurred_on=occurred_on,
        programme=programme,
        region=region,
        # Optional and never required; anything unexpected is "not given".
        sex_gender=sex_gender if sex_gender in Grievance.SexGender.values else Grievance.SexGender.NOT_GIVEN,
        lodged_at=now,
        acknowledged_at=now,
        acknowledge_due=add_working_days(lodged_day, policy.acknowledge_days, holidays),
        resolve_due=add_working_days(lodged_day, policy.resolve_days, holidays),
        recorded_by=recorded_by,
        last_activity_at=now,
    )
    sla.refresh_deadline(grievance, at_risk_days=policy.at_risk_days)
    for _attempt in range(REFERENCE_ATTEMPTS):
        grievance.reference = generate_reference()
        try:
            # A savepoint, so a (very unlikely) duplicate reference is retried
            # without losing the surrounding transaction.
            with transaction.atomic():
                grievance.save()
            break
        except IntegrityError:
            if Grievance.objects.filter(reference=grievance.reference).exists():
                grievance.pk = None
                continue
            raise
    else:  # pragma: no cover - 30^7 references make this practically impossible
        raise RuntimeError("could not allocate a unique reference")

    label = _complainant_label(grievance)
    lodged = _event(
        grievance,
        CaseEvent.Kind.LODGED,
        public=True,
        actor=recorded_by or lodged_by or complainant,
        actor_label=label,
        by_complainant=True,
        payload={"channel": channel, **({"recorded_by": recorded_by.pk} if recorded_by is not None else {})},
    )
    _attach(grievance, lodged, attachments)
    _record(
        grievance,
        CaseEvent.Kind.ACKNOWLEDGED,
        public=True,
        actor_label=agency.name,
        payload={"reference": grievance.reference, "resolve_due": grievance.resolve_due.isoformat()},
    )

    from grievances.tasks import send_acknowledgement

    if grievance.contact_email or grievance.contact_phone or (complainant is not None and complainant.email):
        # The task backend is the database: enqueued inside this transaction,
        # the task exists exactly when the case does (no case without its
        # acknowledgement if the process dies right after the commit), and no
        # worker sees it before the commit.
        send_acknowledgement.enqueue(grievance.pk, seal(pin, purpose=PIN_SEAL_PURPOSE))
    return Lodged(grievance=grievance, pin=pin)


# --- the complainant's actions ----------------------------------------------------------


@transaction.atomic
def grievance_reply(
    *, grievance: Grievance, body: str, attachments: Sequence[CleanUpload] = (), user=None
) -> CaseEvent:
    """The complainant adds a message (and files) to their open case."""
    grievance = _lock(grievance)
    check_action("reply", grievance.status, COMPLAINANT)
    body = _clean_text(body, limit=MESSAGE_MAX_LENGTH, field="body")
    if not body and not attachments:
        raise ValidationError({"body": _("Please write a message or attach a file.")})
    event = _record(
        grievance,
        CaseEvent.Kind.MESSAGE_FROM_COMPLAINANT,
        public=True,
        actor=user,
        actor_label=_complainant_label(grievance),
        by_complainant=True,
        body=body,
    )
    _attach(grievance, event, attachments)
    Grievance.objects.filter(pk=grievance.pk).update(version=grievance.version + 1)
    return event


@transaction.atomic
def grievance_provide_information(
    *, grievance: Grievance, body: str, attachments: Sequence[CleanUpload] = (), user=None
) -> CaseEvent:
    """The complainant answers a request for information; the deadline clock starts again.

    The resolve-by date moves later by the working days the case waited for
    the answer, so the agency is not penalised for the complainant's time.
    """
    grievance = _lock(grievance)
    check_action("provide_information", grievance.status, COMPLAINANT)
    body = _clean_text(body, limit=MESSAGE_MAX_LENGTH, field="body")
    if not body and not attachments:
        raise ValidationError({"body": _("Please answer the question or attach a file.")})
    request_event = grievance.open_information_request
    paused_days = 0
    if request_event is not None and grievance.resolve_due:
        today = timezone.localdate()
        holidays = _holidays_from(timezone.localdate(request_event.created_at))
        paused_days = working_days_between(timezone.localdate(request_event.created_at), today, holidays)
        grievance.resolve_due = add_working_days(
            grievance.resolve_due, paused_days, _holidays_from(grievance.resolve_due)
        )
    return _complainant_step(
        grievance,
        status=Status.IN_PROGRESS,
        kind=CaseEvent.Kind.INFORMATION_PROVIDED,
        user=user,
        fields=["resolve_due"],
        body=body,
        payload={"paused_working_days": paused_days, "resolve_due": str(grievance.resolve_due or "")},
        attachments=attachments,
    )


def _complainant_step(
    grievance: Grievance,
    *,
    status: str,
    kind: str,
    user,
    fields: Sequence[str] = (),
    body: str = "",
    payload: dict | None = None,
    attachments: Sequence[CleanUpload] = (),
    at_risk_days: int | None = None,
) -> CaseEvent:
    """Move a locked case to ``status`` on the complainant's word: save, record, announce."""
    grievance.status = status
    grievance.version += 1
    deadline_fields = sla.refresh_deadline(grievance, at_risk_days=at_risk_days)
    grievance.save(update_fields=["status", "version", "updated_at", *fields, *deadline_fields])
    event = _record(
        grievance,
        kind,
        public=True,
        actor=user,
        actor_label=_complainant_label(grievance),
        by_complainant=True,
        body=body,
        payload=payload,
    )
    _attach(grievance, event, attachments)
    return event


@transaction.atomic
def grievance_accept(*, grievance: Grievance, user=None) -> CaseEvent:
    """The complainant accepts the decision; the case closes."""
    grievance = _lock(grievance)
    check_action("accept", grievance.status, COMPLAINANT)
    grievance.closed_at = timezone.now()
    return _complainant_step(
        grievance, status=Status.CLOSED, kind=CaseEvent.Kind.ACCEPTED, user=user, fields=["closed_at"]
    )


@transaction.atomic
def grievance_appeal(*, grievance: Grievance, reasons: str, user=None) -> CaseEvent:
    """The complainant appeals the decision within the appeal window."""
    grievance = _lock(grievance)
    check_action("appeal", grievance.status, COMPLAINANT)
    if not grievance.appeal_window_open:
        raise ValidationError(
            _("The time to appeal ended on %(date)s.") % {"date": grievance.appeal_due.strftime("%d %B %Y")}
            if grievance.appeal_due
            else _("This decision cannot be appealed.")
        )
    reasons = _clean_text(reasons, limit=MESSAGE_MAX_LENGTH, field="reasons")
    if not reasons:
        raise ValidationError({"reasons": _("Please say why you disagree with the decision.")})
    policy = grievance.category.effective_sla_policy()
    grievance.appeal_decision_due = timezone.localdate() + timedelta(days=policy.appeal_decision_days)
    return _complainant_step(
        grievance,
        status=Status.APPEALED,
        kind=CaseEvent.Kind.APPEALED,
        user=user,
        fields=["appeal_decision_due"],
        body=reasons,
        payload={"appeal_decision_due": grievance.appeal_decision_due.isoformat()},
        at_risk_days=policy.at_risk_days,
    )


@transaction.atomic
def grievance_withdraw(*, grievance: Grievance, reason: str = "", user=None) -> CaseEvent:
    """The complainant withdraws the grievance; it closes and the agency stops work."""
    grievance = _lock(grievance)
    check_action("withdraw", grievance.status, COMPLAINANT)
    reason = _clean_text(reason, limit=MESSAGE_MAX_LENGTH, field="reason")
    grievance.closed_at = timezone.now()
    return _complainant_step(
        grievance, status=Status.WITHDRAWN, kind=CaseEvent.Kind.WITHDRAWN, user=user, fields=["closed_at"], body=reason
    )


def grant_access_after_lodging(request, lodged: Lodged) -> None:
    """The browser that lodged may see the case at once, as if it had typed the PIN."""
    access.grant(request, lodged.grievance)


# --- the agency's actions -----------------------------------------------------------
#
# Every staff service takes the ``version`` the person's form was made from.
# The case is re-read under a row lock; a different version means someone
# else acted first, and the action is refused (never merged) so that nobody
# resolves a case whose last message they have not read.

DECISION_MAX_LENGTH = 10000


def _staff_lock(grievance: Grievance, *, user, action: str, version: int | None) -> tuple[Grievance, str]:
    """Lock the case and check that ``user`` may take ``action`` on this version of it."""
    grievance = (
        Grievance.objects.select_for_update(of=("self",))
        .select_related("category__parent", "agency", "referred_to")
        .get(pk=grievance.pk)
    )
    actor = rules.actor_for(user, grievance)
    if actor is None:
        raise ActionRefused(_("You cannot do this on this case."))
    if version is None or int(version) != grievance.version:
        raise StaleCase()
    if not rules.can(user, action, grievance):
        # The table's own sentence: wrong state, or not this kind of actor.
        check_action(action, grievance.status, actor)
        raise ActionRefused(_("You cannot do this on this case."))
    return grievance, actor


def _staff_save(grievance: Grievance, *fields: str) -> None:
    """Save a staff change: deadline columns follow the status, the version moves on."""
    grievance.version += 1
    deadline_fields = sla.refresh_deadline(grievance)
    grievance.save(update_fields=sorted({*fields, *deadline_fields, "version", "updated_at"}))


def _agency_label(grievance: Grievance, agency=None) -> str:
    # Staff are named on the staff side by their account; the complainant
    # reads the agency's name, never an officer's.
    return (agency or grievance.agency).name


def _required_text(text: str, *, field: str, message: str, limit: int = MESSAGE_MAX_LENGTH) -> str:
    text = _clean_text(text, limit=limit, field=field)
    if not text:
        raise ValidationError({field: message})
    return text


@transaction.atomic
def grievance_acknowledge(*, grievance: Grievance, user, version: int) -> CaseEvent:
    """Acknowledge a case that arrived without one (cases lodged online are acknowledged at once)."""
    grievance, _actor = _staff_lock(grievance, user=user, action="acknowledge", version=version)
    grievance.status = Status.ACKNOWLEDGED
    grievance.acknowledged_at = timezone.now()
    _staff_save(grievance, "status", "acknowledged_at")
    event = _record(
        grievance, CaseEvent.Kind.ACKNOWLEDGED, public=True, actor=user, actor_label=_agency_label(grievance)
    )
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
    grievance, _actor = _staff_lock(grievance, user=user, action="assign", version=version)
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
    _staff_save(grievance, "assignee", "status")
    event = _record(
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
    grievance, _actor = _staff_lock(grievance, user=user, action="start", version=version)
    grievance.status = Status.IN_PROGRESS
    _staff_save(grievance, "status")
    event = _record(
        grievance, CaseEvent.Kind.STATUS_CHANGED, public=True, actor=user, actor_label=_agency_label(grievance)
    )
    return event


def _staff_text(
    grievance: Grievance, *, user, version: int, action: str, body: str, empty: str, kind: str, status: str = ""
) -> CaseEvent:
    """A note, message or question: check, take the text, move the status if asked, record it.

    An internal text is signed with the officer's name; one the complainant
    reads is signed with the agency's (see ``_agency_label``).
    """
    grievance, _actor = _staff_lock(grievance, user=user, action=action, version=version)
    body = _required_text(body, field="body", message=empty)
    if status:
        grievance.status = status
    _staff_save(grievance, *(["status"] if status else []))
    public = kind != CaseEvent.Kind.NOTE
    label = _agency_label(grievance) if public else user.get_full_name()
    return _record(grievance, kind, public=public, actor=user, actor_label=label, body=body)


@transaction.atomic
def grievance_add_note(*, grievance: Grievance, user, body: str, version: int) -> CaseEvent:
    """An internal note: staff only, never shown to the complainant."""
    return _staff_text(
        grievance,
        user=user,
        version=version,
        action="note",
        body=body,
        empty=_("Please write the note."),
        kind=CaseEvent.Kind.NOTE,
    )


@transaction.atomic
def grievance_message(*, grievance: Grievance, user, body: str, version: int) -> CaseEvent:
    """A message to the complainant, shown on their page under the agency's name."""
    return _staff_text(
        grievance,
        user=user,
        version=version,
        action="message",
        body=body,
        empty=_("Please write the message."),
        kind=CaseEvent.Kind.MESSAGE_TO_COMPLAINANT,
    )


@transaction.atomic
def grievance_request_information(*, grievance: Grievance, user, body: str, version: int) -> CaseEvent:
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
        empty=_("Please write the question for the complainant."),
        kind=CaseEvent.Kind.INFORMATION_REQUESTED,
        status=Status.AWAITING_COMPLAINANT,
    )


@transaction.atomic
def grievance_refer(*, grievance: Grievance, user, to_agency: Organization, reasons: str, version: int) -> Referral:
    """Send the case to another agency, with reasons; it accepts or returns it.

    Until then the case stays with the referring agency on paper and its
    clock keeps running (the complainant is still waiting); the receiving
    agency sees it in its queue. The timeline and deadlines travel with it.
    """
    grievance, _actor = _staff_lock(grievance, user=user, action="refer", version=version)
    if to_agency is None or to_agency.kind != Organization.Kind.GOVERNMENT:
        raise ValidationError({"to_agency": _("Please choose the agency to refer the case to.")})
    if to_agency.pk == grievance.agency_id:
        raise ValidationError({"to_agency": _("The case is already with this agency.")})
    reasons = _required_text(reasons, field="reasons", message=_("Please say why the other agency should take it."))
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
    _staff_save(grievance, "status", "referred_to")
    _record(
        grievance,
        CaseEvent.Kind.REFERRED,
        public=True,
        actor=user,
        actor_label=_agency_label(grievance),
        body=_("Sent to %(agency)s.") % {"agency": to_agency.name},
        payload={"referral": referral.pk, "to_agency": to_agency.pk},
    )
    _event(grievance, CaseEvent.Kind.NOTE, public=False, actor=user, actor_label=user.get_full_name(), body=reasons)
    # The announcement above reaches the receiving agency's queue too (``referred_to``).
    _queue_changed(to_agency.pk)
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
    grievance, _actor = _staff_lock(grievance, user=user, action="accept_referral", version=version)
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
    _staff_save(grievance, "agency", "referred_to", "assignee", "status")
    event = _record(
        grievance,
        CaseEvent.Kind.REFERRAL_ACCEPTED,
        public=True,
        actor=user,
        actor_label=grievance.agency.name,
        body=_("%(agency)s has taken up your grievance.") % {"agency": grievance.agency.name},
        payload={"referral": referral.pk, "from_agency": previous_agency},
    )
    live.announce_queue(grievance, event, agency_id=previous_agency)  # the row leaves the queue it was in
    _queue_changed(previous_agency)
    return event


@transaction.atomic
def grievance_return_referral(*, grievance: Grievance, user, reasons: str, version: int) -> CaseEvent:
    """The receiving agency sends the case back, with reasons; it resumes where it was."""
    grievance, _actor = _staff_lock(grievance, user=user, action="return_referral", version=version)
    reasons = _required_text(reasons, field="reasons", message=_("Please say why you are returning the case."))
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
    _staff_save(grievance, "referred_to", "status")
    event = _record(
        grievance,
        CaseEvent.Kind.REFERRAL_RETURNED,
        public=True,
        actor=user,
        actor_label=receiving.name,
        body=_("%(agency)s will continue to handle your grievance.") % {"agency": grievance.agency.name},
        payload={"referral": referral.pk},
    )
    _event(grievance, CaseEvent.Kind.NOTE, public=False, actor=user, actor_label=user.get_full_name(), body=reasons)
    live.announce_queue(grievance, event, agency_id=receiving.pk)  # the row leaves the queue it was in
    _queue_changed(receiving.pk)
    return event


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
    grievance, _actor = _staff_lock(grievance, user=user, action=action, version=version)
    reasons = _required_text(
        reasons, field="reasons", message=_("Please give the reasons for the decision."), limit=DECISION_MAX_LENGTH
    )
    remedy = _clean_text(remedy, limit=DECISION_MAX_LENGTH, field="remedy")
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
    _staff_save(grievance, *fields)
    body = reasons + (f"\n\n{remedy}" if remedy else "")
    event = _record(
        grievance,
        CaseEvent.Kind.RESOLVED,
        public=True,
        actor=user,
        actor_label=_agency_label(grievance),
        body=body,
        payload={"decision": decision, "appeal_due": str(grievance.appeal_due or "")},
    )
    return event


@transaction.atomic
def grievance_close(*, grievance: Grievance, user, version: int, reason: str = "") -> CaseEvent:
    """Close a decided case (the complainant did not answer within the appeal window, or agreed by phone)."""
    grievance, _actor = _staff_lock(grievance, user=user, action="close", version=version)
    grievance.status = Status.CLOSED
    grievance.closed_at = timezone.now()
    _staff_save(grievance, "status", "closed_at")
    event = _record(
        grievance,
        CaseEvent.Kind.CLOSED,
        public=True,
        actor=user,
        actor_label=_agency_label(grievance),
        body=_clean_text(reason, limit=MESSAGE_MAX_LENGTH, field="reason"),
    )
    return event


@transaction.atomic
def grievance_decide_appeal(*, grievance: Grievance, user, upheld: bool, reasons: str, version: int) -> CaseEvent:
    """Decide an appeal (a supervisor, or the appeal officer a supervisor assigned, never the first decider).

    Upheld: the reasons say what changes and the case closes with that
    remedy; dismissed: the first decision stands and the case closes.
    """
    grievance, _actor = _staff_lock(grievance, user=user, action="decide_appeal", version=version)
    reasons = _required_text(
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
    _staff_save(grievance, *fields)
    event = _record(
        grievance,
        CaseEvent.Kind.APPEAL_DECIDED,
        public=True,
        actor=user,
        actor_label=_agency_label(grievance),
        body=reasons,
        payload={"upheld": bool(upheld)},
    )
    return event


@transaction.atomic
def grievance_reopen(*, grievance: Grievance, user, reason: str, version: int) -> CaseEvent:
    """A supervisor reopens a decided or closed case; it is worked again with a fresh deadline."""
    grievance, _actor = _staff_lock(grievance, user=user, action="reopen", version=version)
    reason = _required_text(reason, field="reason", message=_("Please say why the case is reopened."))
    policy = grievance.category.effective_sla_policy()
    today_ = timezone.localdate()
    grievance.status = Status.IN_PROGRESS
    grievance.closed_at = None
    grievance.duplicate_of = None
    grievance.resolve_due = add_working_days(today_, policy.resolve_days, _holidays_from(today_))
    _staff_save(grievance, "status", "closed_at", "duplicate_of", "resolve_due")
    event = _record(
        grievance,
        CaseEvent.Kind.REOPENED,
        public=True,
        actor=user,
        actor_label=_agency_label(grievance),
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
    grievance, _actor = _staff_lock(grievance, user=user, action="mark_duplicate", version=version)
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
    _staff_save(grievance, "status", "closed_at", "duplicate_of")
    event = _record(
        grievance,
        CaseEvent.Kind.DUPLICATE,
        public=True,
        actor=user,
        actor_label=_agency_label(grievance),
        body=_("The same matter was raised in another grievance; it is handled there, together with yours."),
        payload={"original": original.pk, "original_reference": original.reference},
    )
    _event(
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


def grievance_record_access(*, grievance: Grievance, user, what: str = "case") -> CaseAccess:
    """Write who opened which case when; called by every staff page that shows a case."""
    return CaseAccess.objects.create(grievance=grievance, user=user, what=what)


def grievance_lodge_assisted(*, user, channel: str, **fields) -> Lodged:
    """Staff record a grievance received by phone, in person or on paper, for the person.

    The person gets the reference and PIN on a printable slip, and by SMS
    when a number was given (the acknowledgement task sends it).
    """
    if channel not in (Grievance.Channel.PHONE, Grievance.Channel.IN_PERSON, Grievance.Channel.PAPER):
        raise ValidationError({"channel": _("Please say how the grievance was received.")})
    if not rules.case_memberships(user):
        raise PermissionDenied(_("Only agency staff can record grievances for others."))
    return grievance_lodge(channel=channel, recorded_by=user, complainant=None, **fields)


# --- deadlines -------------------------------------------------------------------------


def _escalation_recipients(grievance: Grievance, level: int) -> list[int]:
    sensitive = grievance.category.is_sensitive
    if level == sla.AT_RISK and grievance.assignee_id:
        return [grievance.assignee_id]
    roles = {
        sla.AT_RISK: [Membership.Role.SUPERVISOR],
        sla.BREACHED: [Membership.Role.SUPERVISOR],
        sla.HEAD: [Membership.Role.ADMIN],
    }[level]
    people = Membership.objects.active().filter(organization_id=grievance.agency_id, role__in=roles)
    if sensitive:
        # Nobody is told of a sensitive case they may not open.
        people = people.filter(focal_point=True)
    return sorted(set(people.values_list("user_id", flat=True)))


@transaction.atomic
def grievance_escalate(*, grievance: Grievance, level: int, today: date | None = None) -> CaseEvent | None:
    """Record that a case reached an escalation level, and notify that level once.

    Idempotent: the level is claimed with a conditional update, so running
    the sweep twice, or two sweeps at once, writes one event and sends one
    notice per level and deadline. Does not bump ``version``: nobody's form
    becomes stale because a deadline passed.
    """
    now = timezone.now()
    updates = {"escalation_level": level}
    if level >= sla.BREACHED:
        updates["breached_at"] = models.Case(
            models.When(breached_at__isnull=True, then=models.Value(now)), default=models.F("breached_at")
        )
    claimed = Grievance.objects.filter(
        pk=grievance.pk, escalation_level__lt=level, due_on=grievance.due_on, status=grievance.status
    ).update(**updates)
    if not claimed:
        return None
    grievance.escalation_level = level
    recipients = _escalation_recipients(grievance, level)
    text = {
        sla.AT_RISK: _("Deadline %(due)s is near: at risk."),
        sla.BREACHED: _("Deadline %(due)s missed: escalated to the supervisors."),
        sla.HEAD: _("Deadline %(due)s missed long ago: escalated to the head of the agency."),
    }[level] % {"due": grievance.due_on.isoformat()}
    event = _record(
        grievance,
        CaseEvent.Kind.SLA if level == sla.AT_RISK else CaseEvent.Kind.ESCALATED,
        public=False,
        actor_label="Suara",
        body=text,
        payload={"level": level, "due_on": grievance.due_on.isoformat(), "notified": recipients},
    )
    if recipients:
        from grievances.tasks import send_escalation

        # Enqueued in this transaction (the task backend is the database): the
        # notice exists exactly when the escalation does.
        send_escalation.enqueue(grievance.pk, level, recipients)
    return event
