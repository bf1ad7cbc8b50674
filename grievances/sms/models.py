"""What the SMS channel keeps: conversations by number (hashed), notices' recipients, and messages.

A phone number is kept in clear nowhere here: a conversation is found by a
keyed hash of the number; the number a notice must reach is sealed, and only
as long as delivery needs it (see ``Recipient`` and ``Message``).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grievances.models import CaseEvent, Grievance
from portal.models import Organization


class Conversation(models.Model):
    """Where one number is in a conversation: lodging step by step, or following a case."""

    class State(models.TextChoices):
        IDLE = "idle", _("Nothing under way")
        THEME = "theme", _("Choosing a theme")
        CATEGORY = "category", _("Choosing a category")
        DESCRIBE = "describe", _("Describing the problem")
        ANONYMOUS = "anonymous", _("Choosing whether to stay anonymous")
        CONFIRM = "confirm", _("Confirming")
        # After a decision: the two questions of grievances.satisfaction, one text each.
        RATE_RESOLVED = "rate_resolved", _("Saying whether the problem was resolved")
        RATE_FAIR = "rate_fair", _("Saying whether they were treated fairly")

    number_hash = models.CharField(max_length=64, unique=True)
    language = models.CharField(max_length=10)
    state = models.CharField(max_length=16, choices=State.choices, default=State.IDLE)
    # The lodging under way: menu ids, the chosen category, the description's parts.
    draft = models.JSONField(default=dict, blank=True)
    # The case later messages land on: lodged from this number, opened with its PIN, or notified here.
    grievance = models.ForeignKey(Grievance, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    stopped = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.number_hash[:8]} {self.state}"


class Recipient(models.Model):
    """The number an anonymous SMS case's notices go to, sealed, kept until the case ends.

    A case lodged by SMS with the person's name keeps the number where every
    case keeps it (``Grievance.contact_phone``); an anonymous case keeps it
    only here, never shown to staff, and loses it once its final notice is sent.
    """

    grievance = models.OneToOneField(Grievance, on_delete=models.CASCADE, related_name="+")
    number_hash = models.CharField(max_length=64, db_index=True)
    number_sealed = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"recipient of case {self.grievance_id}"


class Message(models.Model):
    """One text in or out, with its delivery state and cost; never its number or text once delivered."""

    class Direction(models.TextChoices):
        IN = "in", _("Received")
        OUT = "out", _("Sent")

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        DROPPED = "dropped", _("dropped (too many messages)")
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    direction = models.CharField(max_length=3, choices=Direction.choices)
    gateway = models.CharField(max_length=16)
    # The gateway's id (inbound: for idempotency; outbound: to match delivery receipts).
    gateway_id = models.CharField(max_length=64, blank=True)
    # Outbound notices: one per event and case ("" for replies).
    key = models.CharField(max_length=64, blank=True)
    kind = models.CharField(max_length=32, blank=True)
    number_hash = models.CharField(max_length=64, blank=True)
    grievance = models.ForeignKey(Grievance, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(CaseEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices)
    segments = models.PositiveSmallIntegerField(default=0)
    encoding = models.CharField(max_length=6, blank=True)
    # Outbound, until the gateway took it or gave up: sealed (the key is not in the database).
    to_sealed = models.TextField(blank=True)
    body_sealed = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # A retried webhook never lodges twice.
            models.UniqueConstraint(
                fields=["gateway", "gateway_id"],
                condition=models.Q(direction="in") & ~models.Q(gateway_id=""),
                name="sms_inbound_once",
            ),
            models.UniqueConstraint(fields=["key"], condition=~models.Q(key=""), name="sms_notice_once"),
        ]
        indexes = [
            models.Index(fields=["gateway", "gateway_id"], name="sms_gateway_id"),
            models.Index(fields=["grievance", "created_at"], name="sms_case_time"),
            models.Index(fields=["agency", "created_at"], name="sms_agency_time"),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.kind} {self.status}"
