"""Every change to a grievance goes through here.

Each service is keyword-only, checks who may act, validates, writes the
change and its timeline event in one transaction, and schedules what follows
(live updates, e-mail, SMS) for after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grievances import access
from grievances.models import Attachment, CaseEvent, Category, Grievance, Holiday, Programme, Region
from grievances.pins import generate_pin, hash_pin
from grievances.references import generate_reference
from grievances.workdays import add_working_days, working_days_between
from grievances.workflow import COMPLAINANT, Status, check_action
from portal import realtime
from portal.models import Membership
from portal.rules import can_act_for
from portal.sealed import seal
from portal.uploads import CleanUpload, save_private

logger = logging.getLogger(__name__)

DESCRIPTION_MAX_LENGTH = 5000
MESSAGE_MAX_LENGTH = 5000
REFERENCE_ATTEMPTS = 8
PIN_SEAL_PURPOSE = "grievance-pin"


@dataclass(frozen=True)
class Lodged:
    grievance: Grievance
    pin: str  # shown once, never stored in clear


def holidays_between(start: date, days_ahead: int = 400) -> set[date]:
    from datetime import timedelta

    return set(
        Holiday.objects.filter(date__gte=start, date__lte=start + timedelta(days=days_ahead)).values_list(
            "date", flat=True
        )
    )


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
    return CaseEvent.objects.create(
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


def _announce(grievance: Grievance, event: CaseEvent) -> None:
    """Tell the case's streams (and its agency's queue) after commit."""
    payload = {"case": grievance.pk, "event": event.pk, "kind": event.kind, "status": grievance.status}
    events = [
        (realtime.group_name("case", grievance.pk, "staff"), "case.event", payload),
        (realtime.group_name("queue", grievance.agency_id), "queue.changed", payload),
    ]
    if event.public:
        events.append((realtime.group_name("case", grievance.pk, "public"), "case.event", payload))
    realtime.broadcast_many(events)


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
    holidays = holidays_between(lodged_day)
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
        lodged_at=now,
        acknowledged_at=now,
        acknowledge_due=add_working_days(lodged_day, policy.acknowledge_days, holidays),
        resolve_due=add_working_days(lodged_day, policy.resolve_days, holidays),
    )
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
        actor=lodged_by or complainant,
        actor_label=label,
        by_complainant=True,
        payload={"channel": channel},
    )
    _attach(grievance, lodged, attachments)
    acknowledged = _event(
        grievance,
        CaseEvent.Kind.ACKNOWLEDGED,
        public=True,
        actor_label=agency.name,
        payload={"reference": grievance.reference, "resolve_due": grievance.resolve_due.isoformat()},
    )
    _announce(grievance, acknowledged)

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
    event = _event(
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
    _announce(grievance, event)
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
        holidays = holidays_between(timezone.localdate(request_event.created_at))
        paused_days = working_days_between(timezone.localdate(request_event.created_at), today, holidays)
        grievance.resolve_due = add_working_days(
            grievance.resolve_due, paused_days, holidays_between(grievance.resolve_due)
        )
    grievance.status = Status.IN_PROGRESS
    grievance.version += 1
    grievance.save(update_fields=["status", "resolve_due", "version", "updated_at"])
    event = _event(
        grievance,
        CaseEvent.Kind.INFORMATION_PROVIDED,
        public=True,
        actor=user,
        actor_label=_complainant_label(grievance),
        by_complainant=True,
        body=body,
        payload={"paused_working_days": paused_days, "resolve_due": str(grievance.resolve_due or "")},
    )
    _attach(grievance, event, attachments)
    _announce(grievance, event)
    return event


@transaction.atomic
def grievance_accept(*, grievance: Grievance, user=None) -> CaseEvent:
    """The complainant accepts the decision; the case closes."""
    grievance = _lock(grievance)
    check_action("accept", grievance.status, COMPLAINANT)
    grievance.status = Status.CLOSED
    grievance.closed_at = timezone.now()
    grievance.version += 1
    grievance.save(update_fields=["status", "closed_at", "version", "updated_at"])
    event = _event(
        grievance,
        CaseEvent.Kind.ACCEPTED,
        public=True,
        actor=user,
        actor_label=_complainant_label(grievance),
        by_complainant=True,
    )
    _announce(grievance, event)
    return event


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
    from datetime import timedelta

    grievance.status = Status.APPEALED
    grievance.appeal_decision_due = timezone.localdate() + timedelta(days=policy.appeal_decision_days)
    grievance.version += 1
    grievance.save(update_fields=["status", "appeal_decision_due", "version", "updated_at"])
    event = _event(
        grievance,
        CaseEvent.Kind.APPEALED,
        public=True,
        actor=user,
        actor_label=_complainant_label(grievance),
        by_complainant=True,
        body=reasons,
        payload={"appeal_decision_due": grievance.appeal_decision_due.isoformat()},
    )
    _announce(grievance, event)
    return event


@transaction.atomic
def grievance_withdraw(*, grievance: Grievance, reason: str = "", user=None) -> CaseEvent:
    """The complainant withdraws the grievance; it closes and the agency stops work."""
    grievance = _lock(grievance)
    check_action("withdraw", grievance.status, COMPLAINANT)
    reason = _clean_text(reason, limit=MESSAGE_MAX_LENGTH, field="reason")
    grievance.status = Status.WITHDRAWN
    grievance.closed_at = timezone.now()
    grievance.version += 1
    grievance.save(update_fields=["status", "closed_at", "version", "updated_at"])
    event = _event(
        grievance,
        CaseEvent.Kind.WITHDRAWN,
        public=True,
        actor=user,
        actor_label=_complainant_label(grievance),
        by_complainant=True,
        body=reason,
    )
    _announce(grievance, event)
    return event


def grant_access_after_lodging(request, lodged: Lodged) -> None:
    """The browser that lodged may see the case at once, as if it had typed the PIN."""
    access.grant(request, lodged.grievance)
