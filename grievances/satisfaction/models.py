"""The complainant's answer about how their grievance ended: one per case."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grievances.models import Grievance


class Answer(models.Model):
    """ "Was your problem resolved?" and "Were you treated fairly?", with an optional comment.

    Only the complainant (or whoever holds the case's PIN) writes it; staff
    read it only as shares in the dashboard and on the themes page, never
    per case, so that a person can answer frankly. The comment is personal
    data: anonymising the case blanks it.
    """

    class Resolved(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        SMS = "sms", _("Text message")

    grievance = models.OneToOneField(Grievance, on_delete=models.CASCADE, related_name="satisfaction")
    resolved = models.CharField(_("problem resolved"), max_length=8, choices=Resolved.choices)
    # None: the person left the second question unanswered.
    fair = models.BooleanField(_("treated fairly"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.WEB)
    answered_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("answer about how a grievance ended")
        verbose_name_plural = _("answers about how grievances ended")
        indexes = [models.Index(fields=["answered_at"], name="satisfaction_answered")]

    def __str__(self) -> str:
        return f"satisfaction of case {self.grievance_id}: {self.resolved}"
