"""The steps every service shares: lock the case, clean the text, write the event, announce it.

Only the modules of this package use these; everything else calls the
services themselves (``grievances.services.<entity>_<action>``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from grievances import events, rules, sla
from grievances.models import Attachment, CaseEvent, Grievance
from grievances.workflow import ActionRefused, StaleCase, check_action
from portal.lib.localized import localized
from portal.lib.text import clean_text
from portal.lib.uploads import CleanUpload, save_private

DESCRIPTION_MAX_LENGTH = 5000
MESSAGE_MAX_LENGTH = 5000
DECISION_MAX_LENGTH = 10000

# Deadlines are at most a few months out; a year of holidays covers them.
HOLIDAY_HORIZON = timedelta(days=400)


def holidays_from(start: date) -> set[date]:
    return sla.holidays_between(start, start + HOLIDAY_HORIZON)


def required_text(text: str, *, field: str, message: str, limit: int = MESSAGE_MAX_LENGTH) -> str:
    text = clean_text(text, limit=limit, field=field)
    if not text:
        raise ValidationError({field: message})
    return text


def lock(grievance: Grievance) -> Grievance:
    """Re-read the case under a row lock, so two changes never interleave."""
    return Grievance.objects.select_for_update().get(pk=grievance.pk)


def write_event(
    grievance: Grievance,
    kind: str,
    *,
    public: bool,
    actor=None,
    actor_label: str = "",
    by_complainant=False,
    body: str = "",
    payload: dict | None = None,
    touch: bool = True,
) -> CaseEvent:
    """Append one event to the case's timeline (nobody is told: see :func:`record`).

    The complainant's own words carry the language they wrote in, so that
    every page can mark them (``lang``) whatever language it is shown in.
    ``touch=False`` when the case was written with its ``last_activity_at`` in
    this same transaction (lodging), which spares an UPDATE per event.
    """
    payload = dict(payload or {})
    if by_complainant and body:
        payload.setdefault("language", grievance.language)
    event = CaseEvent.objects.create(
        grievance=grievance,
        kind=kind,
        public=public,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=actor_label,
        by_complainant=by_complainant,
        body=body,
        payload=payload,
        status_after=grievance.status,
    )
    # The queue's "last activity" column, kept on the case so that a page of
    # rows never asks the timeline.
    if touch:
        Grievance.objects.filter(pk=grievance.pk).update(last_activity_at=event.created_at)
    return event


def record(
    grievance: Grievance, kind: str, *, left: tuple[int, ...] = (), new_case: bool = False, **fields
) -> CaseEvent:
    """Write a timeline event and announce it after commit (most changes do both).

    ``left``: agencies whose queues the case has just left; ``new_case``: the
    change that created the case (see :class:`grievances.events.CaseChange`).
    """
    event = write_event(grievance, kind, **fields)
    events.announce(grievance, event, left=left, new_case=new_case)
    return event


def attach(grievance: Grievance, event: CaseEvent, uploads: Sequence[CleanUpload]) -> None:
    for upload in uploads:
        Attachment.objects.create(
            grievance=grievance,
            event=event,
            storage_name=save_private(upload, prefix="grievances"),
            display_name=upload.display_name,
            content_type=upload.content_type,
            size=upload.size,
            sha256=upload.sha256,
        )


def offered_language(language: str) -> str:
    """``language`` when the portal offers it; refused otherwise (a case's language must be one it can speak)."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError({"language": _("Please choose one of the languages offered.")})
    return language


def in_case_language(grievance: Grievance):
    """Words the portal writes into a public event are stored in the complainant's language, not the officer's."""
    return translation.override(grievance.language or settings.LANGUAGE_CODE)


def complainant_label(grievance: Grievance) -> str:
    if grievance.lodged_by_organization_id:
        organization = grievance.lodged_by_organization
        return localized(organization.names, organization.name, grievance.language)
    with in_case_language(grievance):
        return _("Complainant")


def agency_label(grievance: Grievance, agency=None) -> str:
    # Staff are named on the staff side by their account; the complainant
    # reads the agency's name, never an officer's, in their own language.
    agency = agency or grievance.agency
    return localized(agency.names, agency.name, grievance.language)


# --- the agency's actions -----------------------------------------------------------
#
# Every staff service takes the ``version`` the person's form was made from.
# The case is re-read under a row lock; a different version means someone
# else acted first, and the action is refused (never merged) so that nobody
# resolves a case whose last message they have not read.


def staff_lock(grievance: Grievance, *, user, action: str, version: int | None) -> tuple[Grievance, str]:
    """Lock the case and check that ``user`` may take ``action`` on this version of it."""
    grievance = (
        Grievance.objects.select_for_update(of=("self",))
        .select_related("category__parent", "agency", "referred_to")
        .get(pk=grievance.pk)
    )
    actor = rules.actor_for(user, grievance)
    if actor is None:
        raise ActionRefused(_("You cannot do this on this case."))
    if version is None or int(version) != grievance.version:
        raise StaleCase()
    if not rules.can(user, action, grievance):
        # The table's own sentence: wrong state, or not this kind of actor.
        check_action(action, grievance.status, actor)
        raise ActionRefused(_("You cannot do this on this case."))
    return grievance, actor


def staff_save(grievance: Grievance, *fields: str) -> None:
    """Save a staff change: deadline columns follow the status, the version moves on."""
    grievance.version += 1
    deadline_fields = sla.refresh_deadline(grievance)
    grievance.save(update_fields=sorted({*fields, *deadline_fields, "version", "updated_at"}))
