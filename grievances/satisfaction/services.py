"""The only writer of satisfaction answers, whichever channel brings them (web form, text message)."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from grievances import rules
from grievances.access import is_owner
from grievances.models import Grievance
from grievances.satisfaction.models import Answer
from grievances.workflow import Status
from portal.lib.text import clean_text

COMMENT_MAX_LENGTH = 500
# An answer may be changed for this long after it was first given, then it stands. Two reasons:
# the text-message flow records its two questions one after the other (the second updates the
# first), and a person who reads the decision letter again may see it differently a day later.
# After the window the figures settle and nobody can be pressed into "improving" an old answer.
CHANGE_WINDOW = timedelta(days=14)


def can_answer(grievance: Grievance) -> bool:
    """Whether the case has had its decision (resolved or out of scope), so its complainant is asked.

    Read from the case's own columns: no query. A withdrawn case was never
    decided; a case closed as a duplicate is asked about on its original.
    """
    return grievance.resolved_at is not None and grievance.status != Status.WITHDRAWN


def may_change(answer: Answer | None, *, now=None) -> bool:
    return answer is None or (now or timezone.now()) - answer.answered_at <= CHANGE_WINDOW


def refuse_staff(user, grievance: Grievance) -> None:
    # Staff of the case's agency never answer for the complainant, even holding the PIN
    # (an assisted lodging): an answer given for someone is no answer.
    if user is not None and user.is_authenticated and not is_owner(user, grievance):
        if rules.actor_for(user, grievance) is not None:
            raise PermissionDenied(_("Only the person who lodged the grievance can answer these questions."))


@transaction.atomic
def satisfaction_record(
    *,
    grievance: Grievance,
    resolved: str,
    fair: bool | None = None,
    comment: str | None = "",
    channel: str = Answer.Channel.WEB,
    user=None,
) -> Answer:
    """Record (or, within :data:`CHANGE_WINDOW`, change) the complainant's answer about how the case ended.

    The caller has passed the complainant's gate (owner, or reference + PIN;
    for a text, the number the case's notices go to). ``fair=None`` leaves the
    second question unanswered (or as it was, when changing); ``comment=None``
    keeps the comment already given.
    """
    grievance = (
        Grievance.objects.select_for_update(of=("self",)).select_related("category__parent").get(pk=grievance.pk)
    )
    refuse_staff(user, grievance)
    if not can_answer(grievance):
        raise ValidationError(_("You can tell us how it went once a decision has been made on your grievance."))
    if resolved not in Answer.Resolved.values:
        raise ValidationError({"resolved": _("Please say whether your problem was resolved: yes, partly or no.")})
    if fair not in (True, False, None):
        raise ValidationError({"fair": _("Please say yes or no.")})
    if comment is not None:
        comment = clean_text(comment, limit=COMMENT_MAX_LENGTH, field="comment")
    if channel not in Answer.Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    now = timezone.now()
    answer = Answer.objects.filter(grievance=grievance).first()
    if answer is None:
        return Answer.objects.create(
            grievance=grievance,
            resolved=resolved,
            fair=fair,
            comment=comment or "",
            channel=channel,
            answered_at=now,
            updated_at=now,
        )
    if not may_change(answer, now=now):
        raise ValidationError(
            _("You answered on %(date)s. An answer can be changed for %(days)s days; that time has passed.")
            % {"date": date_format(timezone.localtime(answer.answered_at), "DATE_FORMAT"), "days": CHANGE_WINDOW.days}
        )
    answer.resolved = resolved
    if fair is not None:
        answer.fair = fair
    if comment is not None:
        answer.comment = comment
    answer.updated_at = now
    answer.save(update_fields=["resolved", "fair", "comment", "updated_at"])
    return answer


def satisfaction_forget(*, case_ids: list[int]) -> int:
    """Blank the comments of anonymised cases (the choices stay: they name nobody and keep the figures)."""
    return Answer.objects.filter(grievance_id__in=case_ids).exclude(comment="").update(comment="")
