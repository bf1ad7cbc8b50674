"""The owner's coding of free-text answers: codes of a consultation, and which answers carry them.

An answer is one free-text question of one response (``response`` +
``question_id``: answers live in ``Response.answers``, keyed by question id).
Who created a code and who tagged an answer, and when, are kept on the rows:
the audit the analysts' work needs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from consultations.models.pages import ConsultationPage
from consultations.models.responses import Response


class Code(models.Model):
    """A name analysts give to what answers say ("wants portable benefits"), per consultation."""

    consultation = models.ForeignKey(ConsultationPage, on_delete=models.CASCADE, related_name="codes")
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("code")
        verbose_name_plural = _("codes")
        ordering = ["name", "pk"]
        constraints = [
            # "Portable benefits" and "portable Benefits" are one code.
            models.UniqueConstraint(Lower("name"), "consultation", name="code_name_once_per_consultation"),
        ]

    def __str__(self) -> str:
        return self.name


class AnswerCode(models.Model):
    """One answer tagged with one code: by whom and when."""

    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="tags")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="codes")
    question_id = models.CharField(max_length=64)
    tagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    tagged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["code", "response", "question_id"], name="answer_code_once"),
        ]
        indexes = [models.Index(fields=["response", "question_id"])]

    def __str__(self) -> str:
        return f"{self.code_id} on {self.response_id}/{self.question_id}"
