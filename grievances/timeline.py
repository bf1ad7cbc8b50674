"""The staff timeline: each event labelled and rendered once, for the case page and its live updates.

The timeline is append-only, so an event's rendered entry never changes;
entries are kept in the cache, and the page and the live stream read the
same ones, so they cannot differ.
"""

from __future__ import annotations

import hashlib
from functools import cache as once

from django.core.cache import cache
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from grievances.models import CaseEvent, Grievance
from grievances.workflow import Status


def choice_labels(choices) -> dict[str, str]:
    """``{value: label}`` translated once per request.

    ``get_FOO_display()`` hashes every lazy label of the field's choices on
    each call, translating them all: with 23 kinds of event that was most of
    a long timeline's rendering time.
    """
    return {value: str(label) for value, label in choices}


def staff_timeline(grievance: Grievance) -> list[CaseEvent]:
    """The whole timeline, internal notes included, each event with its ``html``: two queries whatever its length."""
    events = list(grievance.events.select_related("actor").prefetch_related("attachments").order_by("created_at", "id"))
    label_events(events)
    for event, html in zip(events, staff_event_html(grievance, events), strict=True):
        event.html = html
    return events


def label_events(events: list[CaseEvent]) -> None:
    kinds, statuses = choice_labels(CaseEvent.Kind.choices), choice_labels(Status.choices)
    for event in events:
        event.kind_label = kinds.get(event.kind, event.kind)
        event.status_label = statuses.get(event.status_after, "")


STAFF_EVENT_TEMPLATE = "grievances/includes/staff_event.html"
EVENT_HTML_SECONDS = 24 * 60 * 60


@once
def _event_template_version() -> str:
    """Changes when the fragment's template does (a deploy), so no entry outlives its markup."""
    source = get_template(STAFF_EVENT_TEMPLATE).template.source
    return hashlib.blake2b(source.encode(), digest_size=6).hexdigest()


def _event_html_key(event: CaseEvent, language: str) -> str:
    # The timeline is append-only, so an event's entry never changes, except
    # for the name of the person who wrote it; that name is part of the key.
    actor = event.actor.get_full_name() if event.actor_id else ""
    actor_digest = hashlib.blake2b(actor.encode(), digest_size=6).hexdigest()
    return f"event-html:{_event_template_version()}:{language}:{event.pk}:{actor_digest}"


def staff_event_html(grievance: Grievance, events: list[CaseEvent]) -> list[SafeString]:
    """Each event's staff timeline entry, rendered once and kept in the cache.

    The case page and its live updates both show entries from here, so they
    cannot differ. Rendering thirty entries was a third of a long case
    page's time; reading them back is one trip to the cache. With the cache
    down, entries are rendered as before.
    """
    language = translation.get_language() or "en"
    keys = [_event_html_key(event, language) for event in events]
    found = cache.get_many(keys) if keys else {}
    rendered, fresh = [], {}
    for event, key in zip(events, keys, strict=True):
        html = found.get(key)
        if html is None:
            html = fresh[key] = render_to_string(STAFF_EVENT_TEMPLATE, {"event": event, "grievance": grievance})
        rendered.append(mark_safe(html))  # noqa: S308 - our own template's output, escaped when rendered
    if fresh:
        cache.set_many(fresh, EVENT_HTML_SECONDS)
    return rendered
