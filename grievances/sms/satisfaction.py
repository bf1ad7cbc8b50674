"""How it went, by text: the question after a decision, and its numbered answers.

The answers are written by the satisfaction wing's one service, exactly as
the web form's; a text with no number in it is no answer, and goes to the
case as any other text does.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from grievances.models import Grievance
from grievances.satisfaction.models import Answer
from grievances.satisfaction.services import can_answer, satisfaction_record
from grievances.sms.models import Conversation
from grievances.sms.texts import render

State = Conversation.State
RATE_STATES = frozenset({State.RATE_RESOLVED, State.RATE_FAIR})
# A question left unanswered this long no longer catches a bare "1" meant for something else.
RATE_DAYS = 7
RESOLVED = {"1": Answer.Resolved.YES, "2": Answer.Resolved.PARTLY, "3": Answer.Resolved.NO}
FAIR = {"1": True, "2": False}


def wants_asking(grievance: Grievance) -> bool:
    return can_answer(grievance) and not Answer.objects.filter(grievance=grievance).exists()


def question(grievance: Grievance) -> str:
    with translation.override(grievance.language):
        return render("rate_resolved", reference=grievance.reference)


def expired(conversation: Conversation) -> bool:
    return conversation.state in RATE_STATES and conversation.updated_at < timezone.now() - timedelta(days=RATE_DAYS)


def answer(conversation: Conversation, body: str, outcome) -> bool:
    """Take a numbered answer to the question asked; False when ``body`` is no answer (the caller goes on)."""
    choice = body.strip()
    if not choice.isdigit():
        conversation.state, conversation.draft = State.IDLE, {}
        return False
    options = RESOLVED if conversation.state == State.RATE_RESOLVED else FAIR
    if choice not in options:
        outcome.replies.append(render("pick_number"))
        return True
    grievance = Grievance.objects.get(pk=conversation.grievance_id)
    outcome.grievance = grievance
    try:
        if conversation.state == State.RATE_RESOLVED:
            satisfaction_record(grievance=grievance, resolved=options[choice], comment=None, channel=Answer.Channel.SMS)
            conversation.state, conversation.draft = State.RATE_FAIR, {"resolved": options[choice]}
            outcome.replies.append(render("rate_fair"))
        else:
            resolved = conversation.draft.get("resolved") or (
                Answer.objects.filter(grievance=grievance).values_list("resolved", flat=True).first()
            )
            satisfaction_record(
                grievance=grievance,
                resolved=resolved or "",
                fair=options[choice],
                comment=None,
                channel=Answer.Channel.SMS,
            )
            conversation.state, conversation.draft = State.IDLE, {}
            outcome.replies.append(render("rate_thanks"))
    except (ValidationError, PermissionDenied):
        conversation.state, conversation.draft = State.IDLE, {}
        outcome.replies.append(render("rate_too_late", reference=grievance.reference))
    return True
