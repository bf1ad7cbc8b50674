"""Reserving references for a field visit, and turning a synced draft into a case.

The edge of the field-visit channel: it owns its protocol (devices, reserved
references, drafts) and turns each draft into one call of ``grievance_lodge``
through the same rules as every other channel. A reference is bound to the
person and device it was issued to; rights are checked again at sync, not
only when the batch was handed out.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grievances.models import CASE_ROLES, Grievance
from grievances.offline.models import Reservation
from grievances.pending import PendingReference
from grievances.pins import generate_pin
from grievances.references import generate_reference
from grievances.services import grievance_lodge
from portal.lib.sealed import SealBroken, keyed_hash, seal, unseal
from portal.models import Membership, Organization
from portal.rules import can_act_for

# How long a reserved reference may be used to record a case.
RECORD_WINDOW = timedelta(days=14)
# How long a recorded draft may wait on the device; the page deletes it after that, and the
# server refuses it: the person was told their case would arrive, and a week-old silence is news.
DRAFT_MAX_AGE = timedelta(days=7)
# A device clock may run a little fast; beyond this it is refused rather than trusted.
CLOCK_SKEW = timedelta(minutes=10)
BATCH_SIZE = 10
MAX_OUTSTANDING = 50
DEVICE_ID_MIN, DEVICE_ID_MAX = 16, 64
PIN_PURPOSE = "offline-reserved-pin"


def device_digest(device_id: str) -> str:
    return keyed_hash(device_id, purpose="offline-device")


def valid_device_id(device_id) -> bool:
    return (
        isinstance(device_id, str)
        and DEVICE_ID_MIN <= len(device_id) <= DEVICE_ID_MAX
        and all(c.isascii() and (c.isalnum() or c in "-_") for c in device_id)
    )


# --- who may record -----------------------------------------------------------------------------


def may_record_for(user, organization: Organization) -> bool:
    """A case officer (or supervisor) of the agency, or a representative of the verified body, now.

    Read from the database each time, never from a per-request cache: this is the check made
    at sync, after the role may have ended.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if organization.kind == Organization.Kind.GOVERNMENT:
        return Membership.objects.active().filter(user=user, organization=organization, role__in=CASE_ROLES).exists()
    return can_act_for(user, organization)


def recording_organizations(user) -> list[Organization]:
    """The agencies and verified bodies ``user`` may record field visits for."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    memberships = Membership.objects.active().filter(user=user).select_related("organization")
    return sorted(
        {m.organization for m in memberships if may_record_for(user, m.organization)}, key=lambda org: org.name
    )


def revoke_lost(user) -> int:
    """Revoke the person's unused references for every organization they no longer record for."""
    outstanding = Reservation.objects.outstanding().filter(user=user)
    lost = [
        org_id
        for org_id in set(outstanding.values_list("organization_id", flat=True))
        if not may_record_for(user, Organization.objects.get(pk=org_id))
    ]
    if not lost:
        return 0
    return outstanding.filter(organization_id__in=lost).update(
        revoked_at=timezone.now(), revoked_reason=Reservation.Revoked.ROLE_LOST
    )


def on_membership_changed(sender, instance, **kwargs) -> None:
    revoke_lost(instance.user)


def on_signed_out(sender, request, user, **kwargs) -> None:
    """Signing out ends the device's field visit: its storage is wiped, so its references are void.

    The browser is asked to clear the site's storage (drafts, keys, cached pages) by the
    ``Clear-Site-Data`` header the portal writes when a view asks for it.
    """
    digest = request.session.get(SESSION_FLAG) if request is not None else None
    if user is None or not digest:
        return
    Reservation.objects.outstanding().filter(user=user, device_digest=digest).update(
        revoked_at=timezone.now(), revoked_reason=Reservation.Revoked.SIGNED_OUT
    )
    request.clear_site_data = ('"cache"', '"storage"')


# The session of a browser that took references keeps its device's digest, so that signing out
# wipes and voids that device only.
SESSION_FLAG = "offline_field_device"


# --- reserving ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reserved:
    reference: str
    pin: str
    expires_at: datetime


def _pin_of(reservation: Reservation) -> str | None:
    max_age = int((RECORD_WINDOW + DRAFT_MAX_AGE).total_seconds()) + 86_400
    try:
        return unseal(reservation.pin_sealed, purpose=f"{PIN_PURPOSE}|{reservation.reference}", max_age_seconds=max_age)
    except SealBroken:
        return None


@transaction.atomic
def references_reserve(*, user, device_id: str, organization: Organization, count: int = BATCH_SIZE) -> list[Reserved]:
    """Issue up to ``count`` references and PINs to ``user`` on this device, for ``organization``.

    The device keeps at most :data:`MAX_OUTSTANDING` unused ones; what it already holds
    counts. The PINs leave the server only here, once.
    """
    if not valid_device_id(device_id):
        raise ValidationError({"device": _("This device did not identify itself.")})
    if not may_record_for(user, organization):
        raise PermissionDenied(_("You may not record grievances for this organization."))
    now = timezone.now()
    digest = device_digest(device_id)
    held = Reservation.objects.outstanding().filter(user=user, device_digest=digest, expires_at__gt=now).count()
    count = max(0, min(count, MAX_OUTSTANDING - held))
    issued = []
    for _n in range(count):
        reference = generate_reference()
        # 30^7 references make a clash a curiosity; look anyway, it costs two indexed reads.
        while (
            Grievance.objects.filter(reference=reference).exists()
            or Reservation.objects.filter(reference=reference).exists()
        ):
            reference = generate_reference()
        pin = generate_pin()
        reservation = Reservation.objects.create(
            reference=reference,
            pin_sealed=seal(pin, purpose=f"{PIN_PURPOSE}|{reference}"),
            user=user,
            organization=organization,
            device_digest=digest,
            issued_at=now,
            expires_at=now + RECORD_WINDOW,
        )
        issued.append(Reserved(reference=reservation.reference, pin=pin, expires_at=reservation.expires_at))
    return issued


# --- syncing ------------------------------------------------------------------------------------


@dataclass
class Synced:
    """What became of one draft. ``status``: created, already (sent before), refused."""

    reference: str
    status: str
    http_status: int = 200
    errors: dict[str, list[str]] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"reference": self.reference, "status": self.status, "errors": self.errors}


def _refused(reference: str, http_status: int, errors: dict[str, list[str]]) -> Synced:
    return Synced(reference=reference, status="refused", http_status=http_status, errors=errors)


def _check_recorded_at(reservation: Reservation, recorded_at: datetime | None, now: datetime) -> datetime | str:
    if recorded_at is None:
        return _("The time the case was recorded is missing.")
    if recorded_at > now + CLOCK_SKEW:
        return _("The device's clock is ahead: the case seems recorded in the future. Set the clock and send again.")
    if recorded_at < reservation.issued_at - CLOCK_SKEW:
        return _("The case seems recorded before its reference was issued. Check the device's clock.")
    if recorded_at > reservation.expires_at + CLOCK_SKEW:
        return _("The reference had expired when the case was recorded.")
    if now > recorded_at + DRAFT_MAX_AGE:
        return _("This case waited on the device too long to be accepted; please record it again online.")
    return min(recorded_at, now)


def draft_sync(*, user, device_id: str, reference: str, recorded_at: datetime | None, form, language: str) -> Synced:
    """Lodge one draft under its reserved reference, exactly once.

    ``form`` is a bound :class:`~grievances.offline.forms.DraftForm` (files cleaned by the same
    upload checks as the web). A second sync of the same reference answers ``already``; a
    refusal leaves the reference usable, so the draft can be fixed and sent again.
    """
    if not valid_device_id(device_id):
        return _refused(reference, 400, {"device": [_("This device did not identify itself.")]})
    digest = device_digest(device_id)
    # Checked before the row is locked: photos are decoded and re-encoded here, and nobody
    # should wait on that. Whether it counts is decided below (a case already made wins).
    valid = form.is_valid()
    with transaction.atomic():
        reservation = (
            Reservation.objects.select_for_update().select_related("organization").filter(reference=reference).first()
        )
        # The same answer whether the reference is unknown or someone else's: a stolen batch
        # teaches its thief nothing.
        if (
            reservation is None
            or reservation.user_id != user.pk
            or not hmac.compare_digest(reservation.device_digest, digest)
        ):
            return _refused(reference, 403, {"reference": [_("This reference was not issued to you on this device.")]})
        if reservation.grievance_id is not None:
            return Synced(reference=reference, status="already")
        may_record = reservation.revoked_at is None and may_record_for(user, reservation.organization)
        if not may_record:
            # The role ended since the batch was handed out: none of the person's references for
            # that body may be used any more, on any device.
            revoke_lost(user)
            return _refused(
                reference,
                403,
                {
                    "reference": [
                        _("You can no longer record grievances for %(organization)s.")
                        % {"organization": reservation.organization.name}
                    ]
                },
            )
        when = _check_recorded_at(reservation, recorded_at, timezone.now())
        if isinstance(when, str):
            return _refused(reference, 422, {"recorded_at": [when]})
        if not valid:
            return _refused(reference, 422, {name: list(errors) for name, errors in form.errors.items()})
        pin = _pin_of(reservation)
        if pin is None:
            return _refused(reference, 422, {"reference": [_("This reference has expired.")]})
        data = form.cleaned_data
        on_behalf = data.get("on_behalf_of")
        anonymous = data["anonymous"]
        if on_behalf is None and not Membership.objects.active().filter(user=user, role__in=CASE_ROLES).exists():
            # Only agency staff record for a person directly; others lodge for their members.
            return _refused(reference, 422, {"on_behalf_of": [_("Choose the organization you record this for.")]})
        try:
            with transaction.atomic():
                lodged = grievance_lodge(
                    reference=reference,
                    pin=pin,
                    recorded_at=when,
                    channel=Grievance.Channel.FIELD_VISIT,
                    recorded_by=user,
                    complainant=None,
                    category=data["category"],
                    description=data["description"],
                    contact_preference=data["contact_preference"],
                    confidentiality=data["confidentiality"] or Grievance.Confidentiality.STANDARD,
                    anonymous=anonymous,
                    contact_name=data["contact_name"],
                    contact_phone=data["contact_phone"],
                    contact_email=data["contact_email"],
                    occurred_on=data["occurred_on"],
                    programme=data["programme"],
                    region=data["region"],
                    sex_gender=data.get("sex_gender") or Grievance.SexGender.NOT_GIVEN,
                    attachments=data["attachments"],
                    lodged_by=user if on_behalf else None,
                    lodged_by_organization=on_behalf,
                    member_name="" if anonymous else data["member_name"],
                    consent_given=data["consent"],
                    language=language,
                )
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
            return _refused(reference, 422, errors)
        except PermissionDenied as error:
            return _refused(reference, 403, {"__all__": [str(error)]})
        reservation.grievance = lodged.grievance
        reservation.recorded_at = when
        reservation.save(update_fields=["grievance", "recorded_at"])
    return Synced(reference=reference, status="created", http_status=201)


# --- the track page -----------------------------------------------------------------------------


def pending_reference(reference: str, pin: str) -> PendingReference | None:
    """For the track page: a reserved reference whose case has not arrived, with its own PIN."""
    reservation = (
        Reservation.objects.outstanding()
        # Past this, no draft recorded under it can arrive any more: "on its way" would be untrue.
        .filter(reference=reference, expires_at__gt=timezone.now() - DRAFT_MAX_AGE)
        .select_related("organization")
        .first()
    )
    if reservation is None or not pin:
        return None
    kept = _pin_of(reservation)
    if kept is None or not hmac.compare_digest(kept, pin.strip()):
        return None
    return PendingReference(
        reference=reservation.reference, issued_at=reservation.issued_at, issued_by=reservation.organization.name
    )
