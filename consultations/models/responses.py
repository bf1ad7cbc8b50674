"""Responses to a consultation: the answers, their counted choices, attachments and readers' reports.

These records point at their consultation by the model's label, so this
module needs nothing from ``pages`` (which reads ``Response`` to protect
answered questions).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.lib.encrypted import EncryptedTextField
from portal.models import Organization


class StakeholderGroup(models.TextChoices):
    """The tripartite breakdown every report uses, plus individuals and others."""

    WORKERS = "workers", _("Workers' organizations")
    EMPLOYERS = "employers", _("Employers' organizations")
    GOVERNMENT = "government", _("Government")
    INDIVIDUALS = "individuals", _("Individuals")
    OTHERS = "others", _("Other organizations")

    @classmethod
    def for_organization(cls, organization: Organization | None) -> StakeholderGroup:
        if organization is None:
            return cls.INDIVIDUALS
        return {
            Organization.Kind.WORKERS: cls.WORKERS,
            Organization.Kind.EMPLOYERS: cls.EMPLOYERS,
            Organization.Kind.GOVERNMENT: cls.GOVERNMENT,
        }.get(organization.kind, cls.OTHERS)


class ResponseQuerySet(models.QuerySet):
    def submitted(self):
        return self.filter(status=Response.Status.SUBMITTED)

    def published(self):
        """What anyone may read: submitted, consented to publication, not hidden by a moderator."""
        return self.submitted().filter(
            publication__in=[Response.Publication.NAMED, Response.Publication.ANONYMOUS], hidden_at__isnull=True
        )


class Response(models.Model):
    """One answer to a consultation, by a person as themselves or for an organization.

    ``answers`` is the record of what was typed (question id → value); the
    ``ResponseChoice`` rows are an index of the counted answers, rewritten by
    the same service call, so statistics are plain database aggregates.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    class Publication(models.TextChoices):
        NAMED = "named", _("Publish it with my name (or my organization's)")
        ANONYMOUS = "anonymous", _("Publish it without any name")
        NONE = "none", _("Do not publish it; only the consultation's owner reads it")

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper (entered by staff)")
        EMAIL = "email", _("E-mail (entered by staff)")

    consultation = models.ForeignKey(
        "consultations.ConsultationPage", on_delete=models.PROTECT, related_name="responses"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultation_responses",
        help_text=_("Empty for paper and e-mailed responses entered by staff."),
    )
    # Sealed at rest like a complainant's name (docs/privacy.md): never filtered or ordered by in SQL.
    respondent_name = EncryptedTextField(_("respondent's name"), max_length=200)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="consultation_responses"
    )
    stakeholder_group = models.CharField(_("stakeholder group"), max_length=20, choices=StakeholderGroup.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    publication = models.CharField(_("publication"), max_length=10, choices=Publication.choices)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    hidden_reason = models.TextField(_("reason for hiding"), max_length=1000, blank=True)
    # When its retention period after closing ended and the respondent's identity was removed (docs/privacy.md).
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation response")
        verbose_name_plural = _("consultation responses")
        constraints = [
            # One response per organization (any of its representatives may
            # work on it), and one per person answering as themselves.
            models.UniqueConstraint(
                fields=["consultation", "organization"],
                condition=Q(organization__isnull=False),
                name="response_one_per_organization",
            ),
            models.UniqueConstraint(
                fields=["consultation", "respondent"],
                condition=Q(organization__isnull=True, respondent__isnull=False),
                name="response_one_per_individual",
            ),
        ]
        indexes = [models.Index(fields=["consultation", "status", "publication"])]

    def __str__(self) -> str:
        return f"{self.respondent_name} — {self.consultation_id}"

    @property
    def is_published(self) -> bool:
        return (
            self.status == self.Status.SUBMITTED
            and self.publication in (self.Publication.NAMED, self.Publication.ANONYMOUS)
            and self.hidden_at is None
        )

    @property
    def public_name(self) -> str:
        """The name readers may see: the organization's or the person's, only with consent."""
        if self.publication != self.Publication.NAMED:
            return ""
        return self.organization.name if self.organization_id else self.respondent_name

    @property
    def capacity_value(self) -> str:
        return str(self.organization_id) if self.organization_id else "individual"


class ResponseChoice(models.Model):
    """One counted answer (a chosen option, a scale point, yes or no) of a response."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="choices")
    question_id = models.CharField(max_length=64)
    choice = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["question_id", "choice"])]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.choice}"


class ResponseAttachment(models.Model):
    """A file sent with a response (a position paper); stored privately, served through a permission check."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="attachments")
    storage_name = models.CharField(max_length=300)
    display_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.display_name


class ResponseReport(models.Model):
    """A reader's report that a published response breaks the rules; a moderator decides."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="reports")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.TextField(_("what is wrong"), max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"report on response {self.response_id}"
