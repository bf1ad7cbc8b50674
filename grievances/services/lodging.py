"""Lodging: a new grievance, routed to its agency and acknowledged, by the person or for them."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grievances import access, rules, sla
from grievances.models import CaseEvent, Category, Grievance, Programme, Region
from grievances.notifications import send_acknowledgement
from grievances.pins import PIN_SEAL_PURPOSE, generate_pin, hash_pin
from grievances.references import generate_reference
from grievances.services.base import (
    DESCRIPTION_MAX_LENGTH,
    agency_label,
    attach,
    complainant_label,
    holidays_from,
    offered_language,
    record,
    write_event,
)
from grievances.submissions import KEEP_FOR, LodgingSubmission, key_digest
from grievances.workdays import add_working_days
from grievances.workflow import Status
from portal.lib.sealed import seal
from portal.lib.text import clean_text
from portal.lib.uploads import CleanUpload
from portal.models import Membership
from portal.rules import can_act_for

REFERENCE_ATTEMPTS = 8
SUBMISSION_PRUNE_ONE_IN = 50


@dataclass(frozen=True)
class Lodged:
    grievance: Grievance
    pin: str  # shown once, never stored in clear


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
    language: str = settings.LANGUAGE_CODE,
    recorded_by=None,
    recorded_at: datetime | None = None,
    reference: str | None = None,
    pin: str | None = None,
) -> Lodged:
    """Record a new grievance, route it to its agency and acknowledge it.

    Returns the case and its PIN, which exists in clear only in the return
    value (shown once) and, sealed, in the acknowledgement task.

    A channel that recorded the grievance earlier than it reaches us (a field
    visit without a connection) passes ``recorded_at``: the case counts as
    lodged then, and its deadlines run from that day. It may also bring the
    ``reference`` and ``pin`` it already gave the person; the caller answers
    for their being unique and unguessable (issued by this server).
    """
    language = offered_language(language)
    description = clean_text(description, limit=DESCRIPTION_MAX_LENGTH, field="description")
    if not description:
        raise ValidationError({"description": _("Please tell us what happened.")})
    if not category.active or category.parent_id is None:
        raise ValidationError({"category": _("Please choose what your grievance is about.")})
    agency = category.routed_agency()
    if agency is None:
        raise ValidationError({"category": _("This category cannot take grievances yet; please choose another.")})
    now = timezone.now()
    if recorded_at is not None and recorded_at > now:
        raise ValidationError({"recorded_at": _("The time it was recorded is in the future.")})
    lodged_at = recorded_at or now
    if occurred_on and occurred_on > timezone.localdate(lodged_at):
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
        if channel == Grievance.Channel.WEB:
            # Where it was received (a field visit) says more than who lodged it, which is kept anyway.
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
    lodged_day = timezone.localdate(lodged_at)
    holidays = holidays_from(lodged_day)
    pin = pin or generate_pin()
    grievance = Grievance(
        pin_hash=hash_pin(pin),
        status=Status.ACKNOWLEDGED,
        category=category,
        agency=agency,
        channel=channel,
        language=language,
        lodged_language=language,
        complainant=complainant,
        anonymous=anonymous,
        confidentiality=confidentiality,
        contact_preference=contact_preference,
        contact_name=clean_text(contact_name, limit=150, field="contact_name"),
        contact_phone=contact_phone.strip(),
        contact_email=contact_email.strip(),
        lodged_by=lodged_by if lodged_by_organization is not None else None,
        lodged_by_organization=lodged_by_organization,
        member_name=clean_text(member_name, limit=150, field="member_name"),
        member_identity_withheld=member_identity_withheld,
        consent_recorded_at=lodged_at if lodged_by_organization is not None else None,
        people_affected=max(1, people_affected),
        description=description,
        narrative_sealed=category.is_sensitive,
        occurred_on=occurred_on,
        programme=programme,
        region=region,
        # Optional and never required; anything unexpected is "not given".
        sex_gender=sex_gender if sex_gender in Grievance.SexGender.values else Grievance.SexGender.NOT_GIVEN,
        lodged_at=lodged_at,
        acknowledged_at=now,
        acknowledge_due=add_working_days(lodged_day, policy.acknowledge_days, holidays),
        resolve_due=add_working_days(lodged_day, policy.resolve_days, holidays),
        recorded_by=recorded_by,
        last_activity_at=now,
    )
    sla.refresh_deadline(grievance, at_risk_days=policy.at_risk_days)
    for _attempt in range(1 if reference else REFERENCE_ATTEMPTS):
        grievance.reference = reference or generate_reference()
        try:
            # A savepoint, so a (very unlikely) duplicate reference is retried
            # without losing the surrounding transaction.
            with transaction.atomic():
                grievance.save()
            break
        except IntegrityError:
            if reference and Grievance.objects.filter(reference=reference).exists():
                raise ValidationError({"reference": _("This reference is already in use.")}) from None
            if Grievance.objects.filter(reference=grievance.reference).exists():
                grievance.pk = None
                continue
            raise
    else:  # pragma: no cover - 30^7 references make this practically impossible
        raise RuntimeError("could not allocate a unique reference")

    label = complainant_label(grievance)
    lodged = write_event(
        grievance,
        CaseEvent.Kind.LODGED,
        public=True,
        actor=recorded_by or lodged_by or complainant,
        actor_label=label,
        by_complainant=True,
        payload={
            "channel": channel,
            **({"recorded_by": recorded_by.pk} if recorded_by is not None else {}),
            **({"recorded_at": recorded_at.isoformat()} if recorded_at is not None else {}),
        },
        touch=False,  # the case was saved with last_activity_at a moment ago
    )
    attach(grievance, lodged, attachments)
    record(
        grievance,
        CaseEvent.Kind.ACKNOWLEDGED,
        public=True,
        actor_label=agency_label(grievance),
        payload={"reference": grievance.reference, "resolve_due": grievance.resolve_due.isoformat()},
        touch=False,
        new_case=True,
    )

    if grievance.contact_email or grievance.contact_phone or (complainant is not None and complainant.email):
        # The task backend is the database: enqueued inside this transaction,
        # the task exists exactly when the case does (no case without its
        # acknowledgement if the process dies right after the commit), and no
        # worker sees it before the commit.
        send_acknowledgement.enqueue(grievance.pk, seal(pin, purpose=PIN_SEAL_PURPOSE))
    return Lodged(grievance=grievance, pin=pin)


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


def grant_access_after_lodging(request, lodged: Lodged) -> None:
    """The browser that lodged may see the case at once, as if it had typed the PIN."""
    access.grant(request, lodged.grievance)


# --- one lodging per submission ------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    record: LodgingSubmission
    first: bool  # False: this key was seen before; ``record.grievance`` is what it lodged

    def same_body(self, body: str) -> bool:
        return self.record.body_digest == body


def submission_claim(*, scope: str, key: str, body: str) -> Submission:
    """Claim a submission key before lodging under it, inside the caller's transaction.

    The first caller inserts the record; a concurrent caller with the same key
    waits on the unique index until the first commits and then finds its
    record (and the case it lodged). A first lodging that fails rolls the
    record back with it, so the key can be used again. A record past its
    expiry is no claim: the key lodges anew.
    """
    digest = key_digest(scope, key)
    now = timezone.now()
    # Expired records go now and then, not on every lodging (a statement each time).
    if secrets.randbelow(SUBMISSION_PRUNE_ONE_IN) == 0:
        LodgingSubmission.objects.filter(expires_at__lt=now).delete()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                record = LodgingSubmission.objects.create(
                    key_digest=digest, body_digest=body, expires_at=now + KEEP_FOR
                )
        except IntegrityError:
            existing = LodgingSubmission.objects.select_related("grievance").get(key_digest=digest)
            if existing.expires_at >= now:
                return Submission(existing, first=False)
            LodgingSubmission.objects.filter(pk=existing.pk, expires_at__lt=now).delete()
            continue
        return Submission(record, first=True)
    # Another request took the expired key's place between the two attempts: theirs is the first.
    return Submission(LodgingSubmission.objects.select_related("grievance").get(key_digest=digest), first=False)


def submission_settle(*, submission: Submission, grievance: Grievance) -> None:
    """Remember which case a claimed submission lodged, in the same transaction as the lodging."""
    submission.record.grievance = grievance
    submission.record.save(update_fields=["grievance"])
