"""What happens around a consultation after people answer: followers, notices sent, the outcome report."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.models.pages import ConsultationPage

# How long before closing the "closes in a week" notice goes out.
CLOSING_SOON = datetime.timedelta(days=7)


class ConsultationFollow(models.Model):
    """Someone who asked to be told when the consultation opens, is about to close, and has an outcome."""

    consultation = models.ForeignKey(ConsultationPage, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consultation_follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["consultation", "user"], name="follow_once")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.consultation_id}"


class ConsultationNotice(models.Model):
    """A notice that went (or is going) out; its row makes sending it twice impossible."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("The consultation is open")
        CLOSING = "closing", _("The consultation closes in a week")
        OUTCOME = "outcome", _("The outcome is published")

    consultation = models.ForeignKey(ConsultationPage, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["consultation", "kind"], name="notice_once")]

    def __str__(self) -> str:
        return f"{self.kind} notice for {self.consultation_id}"


class OutcomeReport(models.Model):
    """A consultation's outcome report as PDF: rendered by the task worker, stored, served as it is.

    One row per consultation. ``source_key`` says what the latest request
    was made from (the published page, the responses, the positions);
    ``pdf_key`` what the stored PDF was made from. When they agree and the
    status is ready, the PDF is current. See ``consultations.reports``.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for its turn")
        RENDERING = "rendering", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Could not be prepared")

    consultation = models.OneToOneField(ConsultationPage, on_delete=models.CASCADE, related_name="outcome_report")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    source_key = models.CharField(max_length=64)
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    language = models.CharField(max_length=10, blank=True)
    pdf = models.BinaryField(null=True, blank=True)
    pdf_key = models.CharField(max_length=64, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_size = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("outcome report")

    def __str__(self) -> str:
        return f"outcome report for {self.consultation_id} ({self.status})"

    @property
    def is_current(self) -> bool:
        return self.status == self.Status.READY and bool(self.pdf_key) and self.pdf_key == self.source_key

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RENDERING)
