"""Live case streams: the complainant's case, the staff case, an agency's queue.

Each socket is admitted by the same read gate as the page it enhances and only
then joins its per-object group; otherwise it is closed with 4403. Payloads
arrive rendered (``grievances.live.payloads``); a consumer only forwards them, after
checking that its person may still see them:

- the complainant's stream joins ``case.<id>.public`` (public events only);
- the staff case stream joins ``case.<id>.staff`` (every event) and shares
  presence with the other staff sockets of the case;
- the queue stream joins ``queue.<agency id>`` and, for focal points,
  ``queue.<agency id>.focal`` (rows of sensitive cases).

Access can end while a socket is open (a sign-out, a referral away, a lost
role, a new PIN): case streams re-check the gate before forwarding each
event, queue streams on a timer every one to two ``QUEUE_RECHECK_SECONDS``
(so that rows never wait for the database), and a failed check closes the
socket with 4403. A client that reconnects sends
``{"resume": {"after": <last id>}}`` (or ``{"since": <unix time>}`` on first
connect) and receives what it missed, through the gate again.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from types import SimpleNamespace
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user
from django.db import InterfaceError, OperationalError, connections
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from grievances import access, rules, services
from grievances.live import payloads as live
from grievances.models import CaseEvent, Grievance
from grievances.references import normalize_reference
from grievances.workspace import selectors
from portal import middleware
from portal.consumers import GatedStreamConsumer, fresh_session
from portal.lib import embedded, realtime

logger = logging.getLogger(__name__)

# A client asks to catch up once per (re)connection; a few more are tolerated.
MAX_RESUMES = 5
QUEUE_RECHECK_SECONDS = 60
RESUME_SINCE_MAX_SECONDS = 24 * 60 * 60


def db_call(function):
    """Run ``function`` in a database thread that keeps its connection.

    Channels' ``database_sync_to_async`` closes the connection after every
    call when connections are not persistent (as under ASGI here, because
    each HTTP request runs in a thread of its own), so each socket's join and
    each re-check of the gate would open a new PostgreSQL connection: most
    of their cost. These calls run in the event loop's small thread pool
    (at most ``min(32, cores + 4)`` threads, so as many kept connections per
    process), in parallel: a burst of a thousand joins is not queued behind
    one thread. A connection the server dropped is replaced once.
    """

    def keeping_connection(*args, **kwargs):
        if not embedded.keeps_connections():
            # Not in a server that keeps them (tests): nothing stays open in a pool thread.
            try:
                return function(*args, **kwargs)
            finally:
                connections.close_all()
        try:
            result = function(*args, **kwargs)
        except (InterfaceError, OperationalError):
            connections.close_all()
            result = function(*args, **kwargs)
        # Not obsolete: ``close_old_connections`` keeps it, and still closes
        # it once an error leaves it unusable.
        for connection in connections.all(initialized_only=True):
            connection.close_at = None
        return result

    return sync_to_async(keeping_connection, thread_sensitive=False)


def _fresh_request(scope, *, at_connect: bool = False) -> SimpleNamespace:
    """The person and session as they are now, not as they were at connect.

    At connect they are the ones ``AuthMiddlewareStack`` has just read; read
    again, they would cost two more queries per socket in a burst of joins.
    """
    # The cookies carry the lodging receipt, which opens a case like the session's capability.
    cookies = scope.get("cookies") or {}
    if at_connect and scope.get("session") is not None and scope.get("user") is not None:
        return SimpleNamespace(session=scope["session"], user=scope["user"], COOKIES=cookies)
    request = SimpleNamespace(session=fresh_session(scope), COOKIES=cookies)
    request.user = get_user(request)
    return request


def _staff_request(scope, *, at_connect: bool = False) -> SimpleNamespace | None:
    """As ``_fresh_request``, for the staff streams: refused, like the workspace, without a second factor."""
    request = _fresh_request(scope, at_connect=at_connect)
    if not request.user.is_authenticated or middleware.needs_second_factor(request.user):
        return None
    return request


def _requested_language(scope) -> str:
    """The language the page asked for (``?lang=``, its ``<html lang>``), unchecked: see ``live.reader_language``."""
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang") or [""]
    return values[0][:20]


def _resume_bounds(content) -> tuple[str, float] | None:
    """``("after", id)`` or ``("since", unix time)`` from a client's resume message; None if malformed."""
    if not isinstance(content, dict) or not isinstance(content.get("resume"), dict):
        return None
    resume = content["resume"]
    for key in ("after", "since"):
        value = resume.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 2**62:
            if key == "since":
                value = max(value, time.time() - RESUME_SINCE_MAX_SECONDS)
            return key, value
    return None


def _events_filter(bounds: tuple[str, float]) -> dict:
    from datetime import UTC, datetime

    key, value = bounds
    if key == "after":
        return {"pk__gt": int(value)}
    return {"created_at__gte": datetime.fromtimestamp(value, tz=UTC)}


class _ResumableStream(GatedStreamConsumer):
    """A stream whose client may ask, a few times per connection, for what it missed.

    Each socket reads in one language (``self.language``) and joins its
    groups' sub-group of that language; it tells ``realtime.mark_listening``
    so, on joining and again now and then, so that payloads are rendered in
    the languages that have readers.
    """

    language = ""
    LISTENING_REFRESH_SECONDS = realtime.LISTENING_SECONDS / 4

    def language_groups(self) -> list[str]:
        return [group for group in getattr(self, "joined_groups", []) if group.endswith(f".{self.language}")]

    def keep_listening(self, groups: list[str] | None = None) -> None:
        """Say (in a database thread: the cache may be Redis) that this socket listens to its language groups."""
        now = time.monotonic()
        if groups is None and now - getattr(self, "listened_at", 0.0) < self.LISTENING_REFRESH_SECONDS:
            return
        self.listened_at = now
        for group in groups if groups is not None else self.language_groups():
            realtime.mark_listening(group)

    async def receive_json(self, content, **kwargs) -> None:
        bounds = _resume_bounds(content)
        self.resumes = getattr(self, "resumes", 0) + 1
        if bounds is None or self.resumes > MAX_RESUMES:
            return
        messages = await db_call(self._catch_up)(bounds)
        if messages is None:
            await self.revoke()
            return
        for message in messages:
            await self.send_json(message)

    def _catch_up(self, bounds) -> list[dict] | None:
        """The messages missed since ``bounds``, through the gate again; None when it now refuses."""
        raise NotImplementedError


class _CaseStream(_ResumableStream):
    side = ""

    def _catch_up(self, bounds) -> list[dict] | None:
        grievance = self.gate()
        if grievance is None:
            return None
        events = list(
            grievance.events.filter(**_events_filter(bounds), **({"public": True} if self.side == "public" else {}))
            .order_by("id")
            .values_list("pk", flat=True)[: live.MAX_EVENTS_PER_PAYLOAD + 1]
        )
        if len(events) > live.MAX_EVENTS_PER_PAYLOAD:
            return [{"type": "reload"}]
        messages = []
        if events:
            rendered = live.staff_events(grievance, after=events[0] - 1, public_only=self.side == "public")
            build = live.public_payload if self.side == "public" else live.staff_payload
            messages.append({"type": "event", **build(grievance, rendered, language=self.language)})
            if self.side == "staff":
                # A catch-up can hand over the whole timeline: staff reading it
                # are on the access log, as when they open the case page.
                services.grievance_record_access(grievance=grievance, user=self.scope["user"], what="live")
        last = grievance.events.filter(**({"public": True} if self.side == "public" else {})).aggregate(last=Max("id"))[
            "last"
        ]
        messages.append({"type": "synced", "id": last or 0})
        return messages

    async def portal_event(self, message: dict) -> None:
        if not await db_call(self.still_allowed)():
            await self.revoke()
            return
        await self.send_json({"type": "event", **message["payload"]})

    def still_allowed(self) -> bool:
        allowed = self.gate() is not None
        if allowed:
            self.keep_listening()
        return allowed

    def gate(self) -> Grievance | None:  # pragma: no cover - abstract
        raise NotImplementedError


class ComplainantCaseConsumer(_CaseStream):
    """``/ws/grievances/<reference>/``: the complainant's case, public events only.

    Admitted for the signed-in owner, or a browser whose session holds the
    reference + PIN capability (the same test as the case page).
    """

    side = "public"

    async def admit(self) -> list[str] | None:
        self.case_id = None
        admitted = await db_call(self._admit)()
        if admitted is None:
            return None
        self.case_id, self.language = admitted
        self.joined_groups = [live.case_group(self.case_id, "public", self.language)]
        return self.joined_groups

    def _admit(self):
        grievance = self.gate()
        if grievance is None:
            return None
        # The language of the complainant's page (they may read in another than their notices').
        language = live.reader_language(_requested_language(self.scope), grievance.language)
        self.keep_listening([live.case_group(grievance.pk, "public", language)])
        return grievance.pk, language

    def gate(self) -> Grievance | None:
        reference = normalize_reference(self.scope["url_route"]["kwargs"].get("reference", ""))
        if reference is None:
            return None
        request = _fresh_request(self.scope, at_connect=getattr(self, "case_id", None) is None)
        grievance = Grievance.objects.filter(reference=reference).first()
        if grievance is None or not access.can_view(request, grievance):
            return None
        if getattr(self, "case_id", None) not in (None, grievance.pk):  # pragma: no cover - references never move
            return None
        return grievance


class StaffCaseConsumer(_CaseStream):
    """``/ws/workspace/cases/<reference>/``: every event of the case, and who else has it open.

    Admitted through ``Grievance.objects.visible_to`` like the staff case page.
    Presence: each socket announces itself to the case's staff group on
    joining and leaving; those already there answer the newcomer directly.
    """

    side = "staff"

    async def admit(self) -> list[str] | None:
        self.case_id = None
        self.viewers: dict[str, str] = {}
        admitted = await db_call(self._admit)()
        if admitted is None:
            return None
        self.case_id, self.viewer_name, self.language = admitted
        # The case's staff group carries presence; its language sub-group the events, in this officer's language.
        self.joined_groups = [
            live.case_group(self.case_id, "staff"),
            live.case_group(self.case_id, "staff", self.language),
        ]
        return self.joined_groups

    def _admit(self):
        grievance = self.gate()
        if grievance is None:
            return None
        user = self.scope["user"]
        # The officer's interface language (the page's), never the complainant's.
        language = live.reader_language(_requested_language(self.scope), getattr(user, "preferred_language", ""))
        self.keep_listening([live.case_group(grievance.pk, "staff", language)])
        return grievance.pk, user.get_full_name() or user.email, language

    def gate(self) -> Grievance | None:
        reference = normalize_reference(self.scope["url_route"]["kwargs"].get("reference", ""))
        if reference is None:
            return None
        request = _staff_request(self.scope, at_connect=getattr(self, "case_id", None) is None)
        if request is None:
            return None
        grievance = Grievance.objects.visible_to(request.user).filter(reference=reference).first()
        if grievance is None or getattr(self, "case_id", None) not in (None, grievance.pk):
            return None
        return grievance

    async def connect(self) -> None:
        await super().connect()
        if getattr(self, "case_id", None) is not None and self.joined:
            await self.channel_layer.group_send(
                live.case_group(self.case_id, "staff"),
                {"type": "presence.join", "channel": self.channel_name, "name": self.viewer_name},
            )

    async def disconnect(self, code: int) -> None:
        if getattr(self, "case_id", None) is not None and getattr(self, "joined", None):
            await self.channel_layer.group_send(
                live.case_group(self.case_id, "staff"), {"type": "presence.leave", "channel": self.channel_name}
            )
        await super().disconnect(code)

    async def presence_join(self, message: dict) -> None:
        if message["channel"] == self.channel_name:
            return
        await self.channel_layer.send(
            message["channel"], {"type": "presence.here", "channel": self.channel_name, "name": self.viewer_name}
        )
        await self.presence_here(message)

    async def presence_here(self, message: dict) -> None:
        # A join may be heard twice (it reaches whoever is in the group when it is
        # delivered, and they answer): only a change is worth a message.
        if self.viewers.get(message["channel"]) != message["name"]:
            self.viewers[message["channel"]] = message["name"]
            await self._send_presence()

    async def presence_leave(self, message: dict) -> None:
        if self.viewers.pop(message["channel"], None) is not None:
            await self._send_presence()

    async def _send_presence(self) -> None:
        names = sorted(set(self.viewers.values()))
        with translation.override(self.language):
            if names:
                text = ngettext(
                    "%(names)s is also viewing this case.", "%(names)s are also viewing this case.", len(names)
                ) % {"names": ", ".join(names)}
            else:
                text = ""
        await self.send_json({"type": "presence", "count": len(names), "text": text})


class QueueConsumer(_ResumableStream):
    """``/ws/workspace/queue/<agency slug>/``: the agency's queue rows as they appear, change and leave.

    Admitted for the agency's case-handling staff (the queue page's test);
    focal points also join the group of sensitive cases' rows.
    """

    async def admit(self) -> list[str] | None:
        admitted = await db_call(self._admit)()
        if admitted is None:
            return None
        self.agency_id, focal, self.with_select, self.language = admitted
        groups = [live.queue_group(self.agency_id, language=self.language)]
        if focal:
            groups.append(live.queue_group(self.agency_id, focal=True, language=self.language))
        self.joined_groups = groups
        return groups

    def _admit(self):
        membership = self.gate()
        if membership is None:
            return None
        language = live.reader_language(
            _requested_language(self.scope), getattr(membership.viewer, "preferred_language", "")
        )
        groups = [live.queue_group(membership.organization_id, language=language)]
        if membership.focal_point:
            groups.append(live.queue_group(membership.organization_id, focal=True, language=language))
        self.keep_listening(groups)
        # Supervisors' rows carry the bulk-assign check box, as on their queue page.
        return (
            membership.organization_id,
            membership.focal_point,
            rules.is_supervisor_of(membership.viewer, membership.organization_id),
            language,
        )

    def gate(self):
        slug = self.scope["url_route"]["kwargs"].get("agency", "")
        request = _staff_request(self.scope, at_connect=not hasattr(self, "agency_id"))
        if request is None:
            return None
        chosen = None
        for membership in rules.case_memberships(request.user):
            if membership.organization.slug == slug:
                chosen = membership if chosen is None or membership.focal_point else chosen
        if chosen is None or getattr(self, "agency_id", chosen.organization_id) != chosen.organization_id:
            return None
        chosen.viewer = request.user
        return chosen

    def still_allowed(self, focal_needed: bool) -> bool:
        membership = self.gate()
        allowed = membership is not None and (membership.focal_point or not focal_needed)
        if allowed:
            self.keep_listening()
        return allowed

    async def connect(self) -> None:
        await super().connect()
        if getattr(self, "joined", None):
            self.rechecking = asyncio.ensure_future(self._recheck_now_and_then())

    async def disconnect(self, code: int) -> None:
        task = getattr(self, "rechecking", None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()
        await super().disconnect(code)

    async def _recheck_now_and_then(self) -> None:
        """Re-check the gate on a timer of its own, so that rows never wait for the database.

        Each socket waits a random 1–2 periods, so a thousand subscribers that
        joined together do not all re-check at once.
        """
        focal_needed = any(".focal" in group for group in self.joined)
        while True:
            await asyncio.sleep(random.uniform(QUEUE_RECHECK_SECONDS, 2 * QUEUE_RECHECK_SECONDS))
            try:
                allowed = await db_call(self.still_allowed)(focal_needed)
            except Exception:
                logger.exception("Queue stream re-check failed; trying again later")
                continue
            if not allowed:
                await self.revoke()
                return

    async def portal_event(self, message: dict) -> None:
        await self.send_json(self._row(message["payload"]))

    def _row(self, payload: dict) -> dict:
        """The row as this person's queue page shows it: one of the two renderings, not both."""
        row = {key: value for key, value in payload.items() if key != "html_select"}
        if self.with_select:
            row["html"] = payload["html_select"]
        return {"type": "row", **row}

    def _catch_up(self, bounds) -> list[dict] | None:
        membership = self.gate()
        if membership is None:
            return None
        last = live.last_event_id()
        agency = membership.organization
        changed = (
            CaseEvent.objects.filter(
                **_events_filter(bounds),
                pk__lte=last,
                grievance__in=selectors.agency_cases(membership.viewer, agency).values("pk"),
            )
            .values("grievance_id")
            .annotate(last=Max("id"))
            .order_by("last")[: live.MAX_ROWS_PER_CATCH_UP + 1]
        )
        changed = {row["grievance_id"]: row["last"] for row in changed}
        if len(changed) > live.MAX_ROWS_PER_CATCH_UP:
            with translation.override(self.language or None):
                return [{"type": "reload", "text": _("Many cases changed. Reload the queue to see them.")}]
        cases = Grievance.objects.select_related("category__parent", "agency", "referred_to", "assignee").filter(
            pk__in=changed
        )
        messages = [
            self._row(live.queue_row_payload(case, agency.pk, event_id=changed[case.pk], language=self.language))
            for case in sorted(cases, key=lambda case: changed[case.pk])
        ]
        messages.append({"type": "synced", "id": last})
        return messages
