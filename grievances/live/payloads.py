"""What live updates carry: the same template fragments as the pages, rendered once per change and language.

Services call :func:`announce` inside their transaction; after the commit the
payloads are rendered from the committed rows and sent through
``portal.lib.realtime`` to the per-object groups, each split by the reader's
language (``<group>.<language>``), because every reader gets their own:

- ``case.<id>.staff.<lang>``: every new event of the case (internal notes
  included), rendered by the staff timeline fragment in the officer's
  interface language (``case.<id>.staff`` itself carries only presence);
- ``case.<id>.public.<lang>``: the public events only, rendered by the
  complainant's timeline fragment in the language of the complainant's page
  (nothing is sent there when a change was internal);
- ``queue.<agency id>.<lang>`` (``queue.<agency id>.focal.<lang>`` for
  sensitive cases, which only focal points may see): the case's queue row,
  rendered by the queue's row fragment, with the tabs it now belongs to.

A payload is rendered only for the languages somebody listens in (sockets
say so through ``realtime.mark_listening`` when they join): a change read by
Thai readers only is rendered once, in Thai. When nobody is known to listen
(or the cache cannot say), the side's likely languages are rendered anyway.

Each payload carries ``id``, the highest event id it covers. Event ids only
grow, so a client that reconnects asks for what came after the last id it
saw (see ``grievances.live.consumers``) and nothing is lost.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from grievances import sla
from grievances.events import CaseChange
from grievances.models import CaseEvent, Grievance
from grievances.timeline import choice_labels, label_events, staff_event_html
from grievances.workflow import Status
from grievances.workspace.selectors import tabs_of
from portal.lib import realtime

# A change writes one to three events; a bound keeps one payload small even if
# a client asks to catch up after a long absence (it reloads instead).
MAX_EVENTS_PER_PAYLOAD = 20
MAX_ROWS_PER_CATCH_UP = 50

PUBLIC_EVENT_TEMPLATE = "grievances/includes/timeline_event.html"
QUEUE_ROW_TEMPLATE = "grievances/workspace/includes/queue_row.html"


def case_group(case_id: int, side: str, language: str = "") -> str:
    parts = ("case", case_id, side, language) if language else ("case", case_id, side)
    return realtime.group_name(*parts)


def queue_group(agency_id: int, *, focal: bool = False, language: str = "") -> str:
    parts = ["queue", agency_id, *(["focal"] if focal else []), *([language] if language else [])]
    return realtime.group_name(*parts)


def offered_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def reader_language(requested: str | None, *fallbacks: str | None) -> str:
    """The first of ``requested`` and ``fallbacks`` that the portal offers (any case), else the default."""
    offered = {code.lower(): code for code in offered_languages()}
    for candidate in (requested, *fallbacks):
        candidate = (candidate or "").strip().lower()
        for code in (candidate, candidate.split("-")[0]):
            if code in offered:
                return offered[code]
    return settings.LANGUAGE_CODE


def listened_languages(group_of, likely: tuple[str, ...]) -> list[str]:
    """The languages whose group ``group_of(language)`` somebody listens to; ``likely`` when the cache cannot say.

    Nobody listening is the usual case for most groups (a queue at night, a
    case nobody has open), and then nothing is rendered at all.
    """
    groups = {group_of(language): language for language in offered_languages()}
    present = realtime.listening(list(groups))
    if present is None:
        return list(dict.fromkeys(language for language in likely if language))
    return [groups[group] for group in present]


def on_case_change(change: CaseChange) -> None:
    """Subscribed to the core's announcements: render the change and send it, now that it is committed."""
    if change.new_case and not _any_queue_listened(change.queues):
        # A new case can only be seen in queues; with none open, it needs no reading at all
        # (lodging at 100 a second pays for every query spared here).
        return
    realtime.send_built(
        lambda: case_deliveries(change.case_id, change.event_id, also_queues=change.left, new_case=change.new_case)
    )


def _any_queue_listened(agency_ids: tuple[int, ...]) -> bool:
    """Does anybody watch one of these queues, focal or not, in any language? True when the cache cannot say."""
    groups = [
        queue_group(agency_id, focal=focal, language=language)
        for agency_id in agency_ids
        for focal in (False, True)
        for language in offered_languages()
    ]
    present = realtime.listening(groups)
    return present is None or bool(present)


def case_deliveries(
    case_id: int, first_event_id: int, *, also_queues=(), new_case: bool = False
) -> list[tuple[str, str, dict]]:
    """The ``(group, event, payload)`` of one change, rendered from the committed rows.

    Every event of the case from ``first_event_id`` on is included, so an
    internal note written in the same transaction as a public event (a
    referral and its reasons) travels too; clients skip ids they already have.
    """
    grievance = _case(case_id)
    if grievance is None:
        return []
    events = staff_events(grievance, after=first_event_id - 1)
    deliveries: list[tuple[str, str, dict]] = []
    # A case lodged in this change has no readers yet: sockets join a case's
    # groups only after its page has been served, and then catch up from the
    # page's last event. Only the queues can be watching.
    if events and not new_case:
        for language in listened_languages(lambda lang: case_group(case_id, "staff", lang), (settings.LANGUAGE_CODE,)):
            payload = staff_payload(grievance, events, language=language)
            deliveries.append((case_group(case_id, "staff", language), "case.event", payload))
        public = [event for event in events if event.public]
        if public:
            likely = (grievance.language, settings.LANGUAGE_CODE)
            for language in listened_languages(lambda lang: case_group(case_id, "public", lang), likely):
                payload = public_payload(grievance, public, language=language)
                deliveries.append((case_group(case_id, "public", language), "case.event", payload))
    last_id = max((event.pk for event in events), default=first_event_id)
    focal = grievance.category.is_sensitive
    for agency_id in _queue_agencies(grievance, also_queues):
        group_of = lambda lang, agency_id=agency_id: queue_group(agency_id, focal=focal, language=lang)  # noqa: E731
        for language in listened_languages(group_of, (settings.LANGUAGE_CODE,)):
            payload = queue_row_payload(grievance, agency_id, event_id=last_id, language=language)
            deliveries.append((group_of(language), "queue.row", payload))
    return deliveries


def _case(case_id: int) -> Grievance | None:
    return (
        Grievance.objects.select_related("category__parent", "agency", "referred_to", "assignee")
        .filter(pk=case_id)
        .first()
    )


def _queue_agencies(grievance: Grievance, also: tuple[int, ...]) -> list[int]:
    agencies = [grievance.agency_id, grievance.referred_to_id, *also]
    return list(dict.fromkeys(agency for agency in agencies if agency))


# --- the case streams -----------------------------------------------------------------


def staff_events(grievance: Grievance, *, after: int, public_only: bool = False) -> list[CaseEvent]:
    events = grievance.events.filter(pk__gt=after)
    if public_only:
        events = events.filter(public=True)
    return list(events.select_related("actor").prefetch_related("attachments").order_by("id")[:MAX_EVENTS_PER_PAYLOAD])


def staff_payload(grievance: Grievance, events: list[CaseEvent], *, language: str = "") -> dict:
    """The staff timeline entries, rendered as the staff case page renders them, in the officer's language."""
    with translation.override(language or settings.LANGUAGE_CODE):
        statuses = choice_labels(Status.choices)
        label_events(events)
        rendered = [
            {"id": event.pk, "html": str(html), "kind": event.kind}
            for event, html in zip(events, staff_event_html(grievance, events), strict=True)
        ]
        return {
            "case": grievance.pk,
            "id": events[-1].pk,
            "events": rendered,
            "status": grievance.status,
            "status_label": statuses.get(grievance.status, grievance.status),
            "version": grievance.version,
            "announce": _("Case %(reference)s: %(what)s")
            % {"reference": grievance.reference, "what": ", ".join(e.kind_label for e in events)},
        }


def public_payload(grievance: Grievance, events: list[CaseEvent], *, language: str = "") -> dict:
    """The public timeline entries, rendered as the complainant's page renders them, in their page's language."""
    with translation.override(language or grievance.language or settings.LANGUAGE_CODE):
        rendered = [
            {
                "id": event.pk,
                "kind": event.kind,
                "html": render_to_string(PUBLIC_EVENT_TEMPLATE, {"event": event, "viewer_is_complainant": True}),
            }
            for event in events
        ]
        return {
            "case": grievance.pk,
            "id": events[-1].pk,
            "events": rendered,
            "status": grievance.status,
            "status_label": str(grievance.get_status_display()),
            "announce": _("Your grievance has news: %(what)s")
            % {"what": ", ".join(str(e.get_kind_display()) for e in events)},
        }


# --- the queue stream -----------------------------------------------------------------


def queue_row_payload(grievance: Grievance, agency_id: int, *, event_id: int, language: str = "") -> dict:
    """One queue row as the queue page renders it, for an officer and a supervisor (select box), in their language."""
    today = timezone.localdate()
    with translation.override(language or settings.LANGUAGE_CODE):
        grievance.sla_state = sla.state(grievance, today)
        grievance.status_label = choice_labels(Status.choices).get(grievance.status, grievance.status)
        context = {"case": grievance, "agency": _AgencyRef(agency_id)}
        html = render_to_string(QUEUE_ROW_TEMPLATE, {**context, "can_bulk_assign": False})
        html_select = render_to_string(QUEUE_ROW_TEMPLATE, {**context, "can_bulk_assign": True})
        announce = _("Queue: %(reference)s changed") % {"reference": grievance.reference}
    return {
        "case": grievance.pk,
        "id": event_id,
        "reference": grievance.reference,
        "tabs": tabs_of(grievance, agency_id, today),
        "assignee": grievance.assignee_id,
        "due": grievance.due_on.isoformat() if grievance.due_on else "",
        "html": html,
        "html_select": html_select,
        "announce": announce,
    }


class _AgencyRef:
    """The one attribute of the agency the row fragment reads (``agency.pk``)."""

    def __init__(self, pk: int):
        self.pk = pk


def last_event_id() -> int:
    return CaseEvent.objects.aggregate(last=Max("id"))["last"] or 0
