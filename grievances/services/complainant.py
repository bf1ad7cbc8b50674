"""The complainant's own steps: reply, answer a question, accept, appeal, withdraw."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from grievances import sla
from grievances.models import CaseEvent, Grievance
from grievances.services.base import (
    MESSAGE_MAX_LENGTH,
    attach,
    complainant_label,
    holidays_from,
    lock,
    offered_language,
    record,
)
from grievances.workdays import add_working_days, working_days_between
from grievances.workflow import COMPLAINANT, Status, check_action
from portal.lib.localized import language_name
from portal.lib.text import clean_text
from portal.lib.uploads import CleanUpload


@transaction.atomic
def grievance_reply(
    *, grievance: Grievance, body: str, attachments: Sequence[CleanUpload] = (), user=None
) -> CaseEvent:
    """The complainant adds a message (and files) to their open case."""
    grievance = lock(grievance)
    check_action("reply", grievance.status, COMPLAINANT)
    body = clean_text(body, limit=MESSAGE_MAX_LENGTH, field="body")
    if not body and not attachments:
        raise ValidationError({"body": _("Please write a message or attach a file.")})
    event = record(
        grievance,
        CaseEvent.Kind.MESSAGE_FROM_COMPLAINANT,
        public=True,
        actor=user,
        actor_label=complainant_label(grievance),
        by_complainant=True,
        body=body,
    )
    attach(grievance, event, attachments)
    Grievance.objects.filter(pk=grievance.pk).update(version=grievance.version + 1)
    return event


@transaction.atomic
def grievance_provide_information(
    *, grievance: Grievance, body: str, attachments: Sequence[CleanUpload] = (), user=None
) -> CaseEvent:
    """The complainant answers a request for information; the deadline clock starts again.

    The resolve-by date moves later by the working days the case waited for
    the answer, so the agency is not penalised for the complainant's time.
    """
    grievance = lock(grievance)
    check_action("provide_information", grievance.status, COMPLAINANT)
    body = clean_text(body, limit=MESSAGE_MAX_LENGTH, field="body")
    if not body and not attachments:
        raise ValidationError({"body": _("Please answer the question or attach a file.")})
    request_event = grievance.open_information_request
    paused_days = 0
    if request_event is not None and grievance.resolve_due:
        today = timezone.localdate()
        holidays = holidays_from(timezone.localdate(request_event.created_at))
        paused_days = working_days_between(timezone.localdate(request_event.created_at), today, holidays)
        grievance.resolve_due = add_working_days(
            grievance.resolve_due, paused_days, holidays_from(grievance.resolve_due)
        )
    return _complainant_step(
        grievance,
        status=Status.IN_PROGRESS,
        kind=CaseEvent.Kind.INFORMATION_PROVIDED,
        user=user,
        fields=["resolve_due"],
        body=body,
        payload={"paused_working_days": paused_days, "resolve_due": str(grievance.resolve_due or "")},
        attachments=attachments,
    )


def _complainant_step(
    grievance: Grievance,
    *,
    status: str,
    kind: str,
    user,
    fields: Sequence[str] = (),
    body: str = "",
    payload: dict | None = None,
    attachments: Sequence[CleanUpload] = (),
    at_risk_days: int | None = None,
) -> CaseEvent:
    """Move a locked case to ``status`` on the complainant's word: save, record, announce."""
    grievance.status = status
    grievance.version += 1
    deadline_fields = sla.refresh_deadline(grievance, at_risk_days=at_risk_days)
    grievance.save(update_fields=["status", "version", "updated_at", *fields, *deadline_fields])
    event = record(
        grievance,
        kind,
        public=True,
        actor=user,
        actor_label=complainant_label(grievance),
        by_complainant=True,
        body=body,
        payload=payload,
    )
    attach(grievance, event, attachments)
    return event


@transaction.atomic
def grievance_accept(*, grievance: Grievance, user=None) -> CaseEvent:
    """The complainant accepts the decision; the case closes."""
    grievance = lock(grievance)
    check_action("accept", grievance.status, COMPLAINANT)
    grievance.closed_at = timezone.now()
    return _complainant_step(
        grievance, status=Status.CLOSED, kind=CaseEvent.Kind.ACCEPTED, user=user, fields=["closed_at"]
    )


@transaction.atomic
def grievance_appeal(*, grievance: Grievance, reasons: str, user=None) -> CaseEvent:
    """The complainant appeals the decision within the appeal window."""
    grievance = lock(grievance)
    check_action("appeal", grievance.status, COMPLAINANT)
    if not grievance.appeal_window_open:
        raise ValidationError(
            _("The time to appeal ended on %(date)s.") % {"date": date_format(grievance.appeal_due, "DATE_FORMAT")}
            if grievance.appeal_due
            else _("This decision cannot be appealed.")
        )
    reasons = clean_text(reasons, limit=MESSAGE_MAX_LENGTH, field="reasons")
    if not reasons:
        raise ValidationError({"reasons": _("Please say why you disagree with the decision.")})
    policy = grievance.category.effective_sla_policy()
    grievance.appeal_decision_due = timezone.localdate() + timedelta(days=policy.appeal_decision_days)
    return _complainant_step(
        grievance,
        status=Status.APPEALED,
        kind=CaseEvent.Kind.APPEALED,
        user=user,
        fields=["appeal_decision_due"],
        body=reasons,
        payload={"appeal_decision_due": grievance.appeal_decision_due.isoformat()},
        at_risk_days=policy.at_risk_days,
    )


@transaction.atomic
def grievance_withdraw(*, grievance: Grievance, reason: str = "", user=None) -> CaseEvent:
    """The complainant withdraws the grievance; it closes and the agency stops work."""
    grievance = lock(grievance)
    check_action("withdraw", grievance.status, COMPLAINANT)
    reason = clean_text(reason, limit=MESSAGE_MAX_LENGTH, field="reason")
    grievance.closed_at = timezone.now()
    return _complainant_step(
        grievance, status=Status.WITHDRAWN, kind=CaseEvent.Kind.WITHDRAWN, user=user, fields=["closed_at"], body=reason
    )


@transaction.atomic
def grievance_set_language(*, grievance: Grievance, language: str, user=None) -> CaseEvent | None:
    """The complainant chooses the language the case speaks to them in, from now on.

    Notices, text messages, the outcome letter and the complainant's live
    updates follow ``Grievance.language``; the change is on the timeline,
    named in the new language. Allowed in every state: a closed case's letter
    can still be read again. Choosing the present language changes nothing.
    """
    grievance = lock(grievance)
    language = offered_language(language)
    if language == grievance.language:
        return None
    previous = grievance.language
    grievance.language = language
    grievance.version += 1
    grievance.save(update_fields=["language", "version", "updated_at"])
    return record(
        grievance,
        CaseEvent.Kind.LANGUAGE_CHANGED,
        public=True,
        actor=user,
        actor_label=complainant_label(grievance),
        by_complainant=True,
        body=language_name(language, local=True),
        payload={"from": previous, "to": language},
    )


CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")


@transaction.atomic
def grievance_correct_contact(
    *, grievance: Grievance, contact_name: str, contact_phone: str, contact_email: str, user=None
) -> CaseEvent | None:
    """The complainant corrects how they are named and reached; the timeline says which details changed.

    The event names the fields, never their values (the timeline outlives
    the contact details, which anonymisation removes). An anonymous case
    keeps no contact details, so it has none to correct.
    """
    grievance = lock(grievance)
    if grievance.anonymous:
        raise ValidationError(
            {"contact_name": _("This grievance was lodged anonymously: it keeps no contact details.")}
        )
    values = {
        "contact_name": clean_text(contact_name, limit=150, field="contact_name"),
        "contact_phone": clean_text(contact_phone, limit=32, field="contact_phone"),
        "contact_email": (contact_email or "").strip(),
    }
    if values["contact_email"]:
        try:
            validate_email(values["contact_email"])
        except ValidationError:
            raise ValidationError({"contact_email": _("Please give a valid e-mail address.")}) from None
    if grievance.contact_preference == Grievance.Contact.PHONE and not values["contact_phone"]:
        raise ValidationError({"contact_phone": _("Please give a phone number, or choose another way to reach you.")})
    if grievance.contact_preference == Grievance.Contact.EMAIL and not values["contact_email"]:
        raise ValidationError({"contact_email": _("Please give an e-mail address, or choose another way.")})
    changed = [field for field in CONTACT_FIELDS if getattr(grievance, field) != values[field]]
    if not changed:
        return None
    for field in changed:
        setattr(grievance, field, values[field])
    grievance.version += 1
    grievance.save(update_fields=[*changed, "version", "updated_at"])
    return record(
        grievance,
        CaseEvent.Kind.CONTACT_CHANGED,
        public=True,
        actor=user,
        actor_label=complainant_label(grievance),
        by_complainant=True,
        payload={"fields": changed},
    )
