"""References reserved for a field visit: issued to one person on one device, before the case exists."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Organization


class ReservationQuerySet(models.QuerySet):
    def outstanding(self):
        """Issued, not used, not revoked and not past the end of their sync window."""
        return self.filter(grievance__isnull=True, revoked_at__isnull=True)


class Reservation(models.Model):
    """A reference and PIN handed to a device ahead of time, so a slip given offline will work.

    Bound to the person (``user``) and the device (only a keyed hash of the
    device's random id is kept) it was issued to, and to the organization the
    person records for; it ends at ``expires_at``, when revoked, or when a case
    is lodged under it. The PIN is kept sealed under a key outside the database,
    because the acknowledgement SMS sent at sync needs it in clear.
    """

    class Revoked(models.TextChoices):
        ROLE_LOST = "role_lost", _("The person no longer holds the role")
        SIGNED_OUT = "signed_out", _("Signed out on the device")

    reference = models.CharField(_("reference"), max_length=14, unique=True)
    pin_sealed = models.TextField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    device_digest = models.CharField(max_length=64, db_index=True)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=16, choices=Revoked.choices, blank=True)
    grievance = models.OneToOneField(
        "grievances.Grievance", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    objects = ReservationQuerySet.as_manager()

    class Meta:
        verbose_name = _("reserved reference")
        indexes = [models.Index(fields=["user", "device_digest", "expires_at"])]

    def __str__(self) -> str:
        return self.reference
