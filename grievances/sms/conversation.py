"""What the line answers: one inbound text, the number's conversation, and the replies.

The conversation is the only state (keyed by the number's hash, locked by
the caller); every change to a case goes through the case core's services
and its gates (reference + PIN, the throttles of the web).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation

from grievances import services, throttle
from grievances.models import CaseEvent, Category, Grievance
from grievances.pins import check_pin
from grievances.references import normalize_reference
from grievances.services.base import DESCRIPTION_MAX_LENGTH
from grievances.sms import keywords, satisfaction
from grievances.sms.models import Conversation, Recipient
from grievances.sms.numbers import normalize, number_hash, seal_number
from grievances.sms.status import status_text
from grievances.sms.texts import render
from grievances.workflow import ActionRefused, Status
from portal.lib.localized import language_name
from portal.lib.ratelimit import Limit

State = Conversation.State
# Wrong PINs by text: per number (as per address on the web) and, for the number the case's
# notices go to, a lock of its own that strangers' failures never touch (its "track pass").
STATUS_FAILURES_PER_NUMBER = Limit("track-sms-number", 10, timedelta(hours=1))
STATUS_FAILURES_OWN_NUMBER = Limit("track-sms-owner", 5, timedelta(hours=1))
MENU_SIZE = 9


@dataclass
class Outcome:
    replies: list[str] = field(default_factory=list)
    grievance: Grievance | None = None
    event: CaseEvent | None = None


def offered(code: str) -> str | None:
    codes = {code.lower(): code for code, _name in settings.LANGUAGES}
    return codes.get((code or "").strip().lower())


def expired(conversation: Conversation) -> bool:
    """A lodging left half-way for too long (the questions after a decision keep their own time)."""
    limit = timedelta(hours=settings.SMS_CONVERSATION_HOURS)
    lodging = conversation.state not in (State.IDLE, *satisfaction.RATE_STATES)
    return lodging and conversation.updated_at < timezone.now() - limit


def respond(conversation: Conversation, *, number: str, body: str) -> Outcome:
    """Answer ``body`` from ``number``; changes ``conversation`` (the caller saves it) and maybe a case."""
    outcome = Outcome()
    command = keywords.parse(body)
    if satisfaction.expired(conversation):
        conversation.state, conversation.draft = State.IDLE, {}
    if expired(conversation):
        conversation.state, conversation.draft = State.IDLE, {}
        with translation.override(conversation.language):
            outcome.replies.append(render("expired", hours=settings.SMS_CONVERSATION_HOURS))
        if command is None:
            # A menu number or a description meant for the dropped lodging must not land on a case.
            conversation.updated_at = timezone.now()
            with translation.override(conversation.language):
                outcome.replies.append(render("help"))
            return outcome
    if command and command.language and command.name in ("lodge", "status"):
        conversation.language = command.language
    with translation.override(conversation.language):
        _respond(conversation, number=number, body=body, command=command, outcome=outcome)
    conversation.updated_at = timezone.now()
    return outcome


def _respond(conversation, *, number, body, command, outcome: Outcome) -> None:
    reply = outcome.replies.append
    name = command.name if command else None
    if name == "stop":
        conversation.stopped = True
        conversation.state, conversation.draft = State.IDLE, {}
        return reply(render("stopped"))
    if name == "start":
        conversation.stopped = False
        return reply(render("started"))
    if name == "lang":
        return _language(conversation, command.rest, outcome)
    if name == "status":
        return _status(conversation, number=number, rest=command.rest, outcome=outcome)
    if name == "lodge":
        return _begin(conversation, outcome)
    match conversation.state:
        case State.THEME | State.CATEGORY:
            return _pick(conversation, body, outcome)
        case State.DESCRIBE:
            return _describe(conversation, body, done=name == "done", outcome=outcome)
        case State.ANONYMOUS:
            return _anonymous(conversation, body, outcome)
        case State.CONFIRM:
            return _confirm(conversation, number=number, body=body, outcome=outcome)
        case State.RATE_RESOLVED | State.RATE_FAIR:
            if satisfaction.answer(conversation, body, outcome):
                return None
    if conversation.grievance_id and body.strip():
        return _to_case(conversation, body, outcome)
    reply(render("help"))


# --- lodging, step by step ------------------------------------------------------------------


def _themes() -> list[Category]:
    """Themes with a category that can take grievances (routed to an agency), in one query."""
    routable = Q(children__active=True) & (Q(agency__isnull=False) | Q(children__agency__isnull=False))
    return list(
        Category.objects.filter(parent__isnull=True, active=True)
        .annotate(routable=Count("children", filter=routable))
        .filter(routable__gt=0)
        .order_by("position", "name")[:MENU_SIZE]
    )


def _children(theme_id: int) -> list[Category]:
    return list(Category.objects.filter(parent_id=theme_id, active=True).order_by("position", "name")[:MENU_SIZE])


def _menu(items) -> str:
    return "\n".join(f"{number} {item.localized_name}" for number, item in enumerate(items, start=1))


def _begin(conversation, outcome: Outcome) -> None:
    themes = _themes()
    if not themes:
        conversation.state, conversation.draft = State.IDLE, {}
        outcome.replies.append(render("no_categories", site=settings.SITE_URL.rstrip("/") + "/grievances/new/"))
        return
    if len(themes) == 1:
        conversation.draft = {"themes": [themes[0].pk]}
        return _offer_categories(conversation, themes[0].pk, outcome)
    conversation.state, conversation.draft = State.THEME, {"themes": [theme.pk for theme in themes]}
    outcome.replies.append(render("themes", menu=_menu(themes)))


def _offer_categories(conversation, theme_id: int, outcome: Outcome) -> None:
    children = _children(theme_id)
    if len(children) == 1:
        return _chosen(conversation, children[0], outcome)
    conversation.state = State.CATEGORY
    conversation.draft["categories"] = [child.pk for child in children]
    outcome.replies.append(render("categories", menu=_menu(children)))


def _chosen(conversation, category: Category, outcome: Outcome) -> None:
    conversation.state = State.DESCRIBE
    conversation.draft.update({"category": category.pk, "parts": []})
    outcome.replies.append(render("describe"))


def _pick(conversation, body: str, outcome: Outcome) -> None:
    listed = conversation.draft.get("themes" if conversation.state == State.THEME else "categories", [])
    choice = body.strip()
    if not (choice.isdigit() and 1 <= int(choice) <= len(listed)):
        outcome.replies.append(render("pick_number"))
        return
    chosen = listed[int(choice) - 1]
    if conversation.state == State.THEME:
        return _offer_categories(conversation, chosen, outcome)
    category = Category.objects.filter(pk=chosen, active=True).first()
    if category is None:  # withdrawn from the form meanwhile
        return _begin(conversation, outcome)
    _chosen(conversation, category, outcome)


def _describe(conversation, body: str, *, done: bool, outcome: Outcome) -> None:
    parts = conversation.draft.setdefault("parts", [])
    if done:
        if not parts:
            outcome.replies.append(render("describe_first"))
            return
        conversation.state = State.ANONYMOUS
        outcome.replies.append(render("anonymous"))
        return
    text = body.strip()
    if not text:
        outcome.replies.append(render("describe_first"))
        return
    if sum(len(part) + 1 for part in parts) + len(text) > DESCRIPTION_MAX_LENGTH:
        outcome.replies.append(render("too_long"))
        return
    parts.append(text)
    outcome.replies.append(render("part_received"))


def _anonymous(conversation, body: str, outcome: Outcome) -> None:
    choice = body.strip()
    if choice not in ("1", "2"):
        outcome.replies.append(render("pick_number"))
        return
    conversation.draft["anonymous"] = choice == "1"
    conversation.state = State.CONFIRM
    category = Category.objects.get(pk=conversation.draft["category"])
    outcome.replies.append(render("confirm", category=category.localized_name))


def _confirm(conversation, *, number: str, body: str, outcome: Outcome) -> None:
    choice = body.strip()
    if choice == "2":
        return _begin(conversation, outcome)
    if choice != "1":
        outcome.replies.append(render("pick_number"))
        return
    draft = conversation.draft
    anonymous = bool(draft.get("anonymous"))
    category = Category.objects.filter(pk=draft.get("category")).first()
    try:
        with transaction.atomic():  # a refusal leaves the conversation's own row untouched
            if category is None:
                raise ValidationError({"category": ""})
            lodged = services.grievance_lodge(
                category=category,
                description="\n".join(draft.get("parts", [])),
                anonymous=anonymous,
                contact_preference=Grievance.Contact.NONE if anonymous else Grievance.Contact.PHONE,
                contact_phone="" if anonymous else normalize(number),
                channel=Grievance.Channel.SMS,
                language=conversation.language,
            )
            if anonymous:
                # Only the line knows where the case's notices go; staff never see it.
                Recipient.objects.create(
                    grievance=lodged.grievance, number_hash=number_hash(number), number_sealed=seal_number(number)
                )
    except ValidationError as error:
        reason = (
            " ".join(message for messages in error.message_dict.values() for message in messages)
            if hasattr(error, "error_dict")
            else " ".join(error.messages)
        )
        conversation.state, conversation.draft = State.IDLE, {}
        outcome.replies.append(render("not_lodged", reason=reason))
        return
    grievance = lodged.grievance
    conversation.state, conversation.draft, conversation.grievance = State.IDLE, {}, grievance
    outcome.grievance = grievance
    outcome.event = grievance.events.order_by("created_at", "id").first()
    if anonymous:
        outcome.replies.append(render("lodged_anonymous", reference=grievance.reference, pin=lodged.pin))
    else:
        # The acknowledgement task texts the PIN to the case's number, as for every case with one.
        outcome.replies.append(render("lodged", reference=grievance.reference))


# --- following a case -------------------------------------------------------------------------


def is_own_number(grievance: Grievance, number: str) -> bool:
    """Whether ``number`` is where the case's notices go (the owner's phone, as far as a phone can say)."""
    digest = number_hash(number)
    if grievance.contact_phone and number_hash(grievance.contact_phone) == digest:
        return True
    return Recipient.objects.filter(grievance=grievance, number_hash=digest).exists()


def _status(conversation, *, number: str, rest: str, outcome: Outcome) -> None:
    words = rest.replace(",", " ").split()
    pin = words[-1] if words and words[-1].isdigit() else ""
    reference = normalize_reference("".join(words[:-1] if pin else words))
    if not reference or not pin:
        outcome.replies.append(render("status_format"))
        return
    grievance = Grievance.objects.select_related("agency", "referred_to").filter(reference=reference).first()
    own = grievance is not None and is_own_number(grievance, number)
    digest = number_hash(number)
    if own:
        limits = [(STATUS_FAILURES_OWN_NUMBER, reference)]
    else:
        limits = [(throttle.TRACK_FAILURES_PER_REFERENCE, reference), (STATUS_FAILURES_PER_NUMBER, digest)]
    for limit, key in limits:
        if seconds := throttle.retry_after(limit, key):
            outcome.replies.append(render("status_locked", minutes=max(1, -(-seconds // 60))))
            return
    if grievance is None or not check_pin(pin, grievance.pin_hash):
        for limit, key in limits:
            throttle.record(limit, key)
        outcome.replies.append(render("status_wrong"))
        return
    conversation.grievance = grievance
    conversation.state, conversation.draft = State.IDLE, {}
    outcome.grievance = grievance
    with translation.override(grievance.language):
        outcome.replies.append(status_text(grievance))


def _to_case(conversation, body: str, outcome: Outcome) -> None:
    grievance = Grievance.objects.select_related("agency").get(pk=conversation.grievance_id)
    outcome.grievance = grievance
    try:
        with transaction.atomic():
            if grievance.status == Status.AWAITING_COMPLAINANT:
                outcome.event = services.grievance_provide_information(grievance=grievance, body=body)
                outcome.replies.append(render("answered", reference=grievance.reference))
            else:
                outcome.event = services.grievance_reply(grievance=grievance, body=body)
                outcome.replies.append(render("replied", reference=grievance.reference))
    except (ActionRefused, PermissionDenied):
        outcome.replies.append(render("case_ended", reference=grievance.reference))
    except ValidationError:
        outcome.replies.append(render("help"))


def _language(conversation, rest: str, outcome: Outcome) -> None:
    code = offered(rest)
    if code is None:
        codes = ", ".join(code for code, _name in settings.LANGUAGES)
        outcome.replies.append(render("language_unknown", codes=codes))
        return
    conversation.language = code
    if conversation.grievance_id:
        grievance = Grievance.objects.get(pk=conversation.grievance_id)
        if grievance.language != code:
            event = services.grievance_set_language(grievance=grievance, language=code)
            outcome.grievance, outcome.event = grievance, event
    with translation.override(code):
        outcome.replies.append(render("language", language=language_name(code, local=True)))
