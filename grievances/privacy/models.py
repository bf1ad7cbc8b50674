"""Retention policies, legal holds and the audit record of each anonymisation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grievances.models import Grievance
from grievances.reference import Category


class RetentionPolicy(models.Model):
    """How long one kind of record is kept (editable in the admin; defaults in ``policies.DEFAULT_DAYS``).

    Cases are counted from their closing, per category (a sub-category without
    a policy of its own follows its theme's, then the default for sensitive or
    ordinary cases); consultation responses from the publication of their
    consultation's outcome; the other kinds from when the record was written or ended.
    """

    class Kind(models.TextChoices):
        CASES = "cases", _("Closed grievances (per category)")
        CONSULTATION_RESPONSES = "consultation_responses", _("Consultation responses, after the outcome")
        ACCESS_LOGS = "access_logs", _("Staff access logs")
        THROTTLE = "throttle", _("Rate-limit records")
        SESSIONS = "sessions", _("Expired sign-in sessions")
        TASKS = "tasks", _("Finished background tasks")
        SMS = "sms", _("Records of sent messages (SMS and e-mail)")

    kind = models.CharField(_("what"), max_length=32, choices=Kind.choices)
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("category"),
        help_text=_("Closed grievances only: the category (or theme) this period applies to; empty for all."),
    )
    keep_days = models.PositiveIntegerField(_("keep for (days)"))
    note = models.CharField(_("why this long"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")
        constraints = [
            models.UniqueConstraint(fields=["kind", "category"], name="retention_policy_once"),
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(category__isnull=True), name="retention_policy_default_once"
            ),
        ]

    def __str__(self) -> str:
        target = f" ({self.category})" if self.category_id else ""
        return f"{self.get_kind_display()}{target}: {self.keep_days}"


class LegalHold(models.Model):
    """A case kept from anonymisation while a reason holds (litigation, an inquiry). Lifted, not deleted."""

    grievance = models.ForeignKey(Grievance, on_delete=models.PROTECT, related_name="legal_holds")
    reason = models.TextField(_("reason"))
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [models.Index(fields=["grievance", "lifted_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["grievance"], condition=models.Q(lifted_at__isnull=True), name="legal_hold_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.grievance_id} hold from {self.placed_at:%Y-%m-%d}"


class Anonymisation(models.Model):
    """The audit record of one case's anonymisation: what, when, under which policy. One per case."""

    class Reason(models.TextChoices):
        RETENTION = "retention", _("Retention period over")
        ERASURE_REQUEST = "erasure_request", _("Erasure requested by the complainant")
        ACCOUNT_DELETED = "account_deleted", _("The complainant's account was deleted")

    grievance = models.OneToOneField(Grievance, on_delete=models.PROTECT, related_name="anonymisation")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    # The policy as it was applied ("cases/category 12: 730 days"), kept as text: policies change.
    policy = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # What was removed: counts only, never the values.
    fields_cleared = models.PositiveSmallIntegerField(default=0)
    texts_scrubbed = models.PositiveIntegerField(default=0)
    attachments_deleted = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.grievance_id} anonymised {self.at:%Y-%m-%d} ({self.reason})"


class RetentionWarning(models.Model):
    """Supervisors were told that this case will be anonymised soon (one notice per case)."""

    grievance = models.OneToOneField(Grievance, on_delete=models.PROTECT, related_name="retention_warning")
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.grievance_id} warned {self.at:%Y-%m-%d}"


class ErasureRequest(models.Model):
    """A complainant asks that their personal data in a case be erased; a supervisor decides by ``due_on``."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved: the case was anonymised")
        REFUSED = "refused", _("Refused")

    grievance = models.ForeignKey(Grievance, on_delete=models.PROTECT, related_name="erasure_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reasons = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["grievance"], condition=models.Q(state="pending"), name="erasure_request_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.grievance_id} erasure {self.state}"
