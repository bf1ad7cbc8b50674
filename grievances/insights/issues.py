"""Systemic issues: the only writers (``systemic_issue_create``, ``systemic_issue_update``) and who may call them.

A supervisor names an issue from cases they may see; a supervisor of the
owner agency records the consultation it was raised in and what was done,
and publishes it. Every linked case gets its timeline entry in the same
transaction: an internal note when linked, a message to the complainant when
the issue is published (in the complainant's language).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from grievances.insights.models import IssueCase, SystemicIssue
from grievances.models import CaseEvent, Grievance
from grievances.rules import ROLE_ACTOR, case_memberships
from grievances.services.base import record
from grievances.workflow import SUPERVISOR

TITLE_LIMIT = 200
TEXT_LIMIT = 5000


def supervised_agencies(user) -> list[int]:
    """The agencies ``user`` supervises (their themes and issues are theirs to see)."""
    return sorted({m.organization_id for m in case_memberships(user) if ROLE_ACTOR[m.role] == SUPERVISOR})


def _clean(text: str, limit: int, field: str, *, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({field: _("Please fill this in.")})
    if len(text) > limit:
        raise ValidationError({field: _("Please keep this under %(limit)s characters.") % {"limit": limit}})
    return text


def systemic_issue_create(*, user, title: str, summary: str, owner, grievances) -> SystemicIssue:
    """Name a systemic issue owned by ``owner`` and link the given cases that ``user`` may see (others are ignored)."""
    if not supervised_agencies(user):
        raise PermissionDenied
    title = _clean(title, TITLE_LIMIT, "title", required=True)
    summary = _clean(summary, TEXT_LIMIT, "summary", required=False)
    ids = [g.pk if isinstance(g, Grievance) else int(g) for g in grievances]
    with transaction.atomic():
        cases = list(Grievance.objects.visible_to(user).filter(pk__in=ids).order_by("pk"))
        if not cases:
            raise ValidationError({"cases": _("Choose at least one case you can see.")})
        issue = SystemicIssue.objects.create(title=title, summary=summary, owner=owner, created_by=user)
        IssueCase.objects.bulk_create(IssueCase(issue=issue, grievance=case) for case in cases)
        for case in cases:
            record(
                case,
                CaseEvent.Kind.NOTE,
                public=False,
                actor=user,
                body=_("Linked to the systemic issue “%(title)s”.") % {"title": title},
            )
    return issue


def can_update(user, issue: SystemicIssue) -> bool:
    return issue.owner_id in supervised_agencies(user) or (
        issue.created_by_id == getattr(user, "pk", None) and bool(supervised_agencies(user))
    )


def systemic_issue_update(
    *, user, issue: SystemicIssue, consultation: str, outcome: str, publish: bool
) -> SystemicIssue:
    """Record the consultation and what was done; on first publishing, tell every linked complainant."""
    if not can_update(user, issue):
        raise PermissionDenied
    consultation = _clean(consultation, 300, "consultation", required=False)
    outcome = _clean(outcome, TEXT_LIMIT, "outcome", required=publish)
    with transaction.atomic():
        issue = SystemicIssue.objects.select_for_update().get(pk=issue.pk)
        first_publication = publish and issue.published_at is None
        issue.consultation, issue.outcome = consultation, outcome
        if first_publication:
            issue.published_at = timezone.now()
        issue.save(update_fields=["consultation", "outcome", "published_at"])
        if first_publication:
            for case in Grievance.objects.filter(pk__in=issue.links.values("grievance_id")).order_by("pk"):
                with translation.override(case.language):
                    body = _(
                        "Your grievance is part of a problem the agencies now recognise: “%(title)s”. "
                        "What was done: %(outcome)s"
                    ) % {"title": issue.title, "outcome": outcome}
                record(
                    case,
                    CaseEvent.Kind.MESSAGE_TO_COMPLAINANT,
                    public=True,
                    actor=user,
                    actor_label=str(issue.owner.localized_name),
                    body=body,
                )
    return issue
