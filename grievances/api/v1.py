"""``/api/v1/``: agency systems read their cases, act on them and lodge grievances.

Every request carries a token (``auth.TokenAuth``) that acts through its
service account: cases are found with ``Grievance.objects.visible_to`` and
changed with the services in ``grievances.services``, as in the workspace.
A case outside the gate is 404, exactly like a reference that does not exist.
"""

from __future__ import annotations

from typing import Annotated

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from ninja import Status as Reply
from ninja import Swagger
from pydantic import Field

from grievances import rules, services
from grievances.api import idempotency, schemas
from grievances.api.auth import TokenAuth
from grievances.api.errors import ApiError, DocumentedApi, ErrorOut, install_handlers, not_found
from grievances.insights import selectors as insights
from grievances.models import CaseEvent, Category, Grievance, Region
from grievances.references import normalize_reference

API_DESCRIPTION = """For agency systems. Authenticate with an API token made in the workspace
(`Authorization: Bearer suara_…`). Errors are JSON `{"code": …, "message": …}`.
See docs/api.md for scopes, rate limits, webhooks and the Open311 subset."""

api = DocumentedApi(
    title="Suara API",
    version="1",
    description=API_DESCRIPTION,
    urls_namespace="api-v1",
    auth=TokenAuth(),
    docs=Swagger(settings={"persistAuthorization": False, "tryItOutEnabled": False}),
    docs_decorator=csp_override(settings.SUARA_API_DOCS_CSP),
)
install_handlers(api)

ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 429)}
READ_ERRORS = {code: ErrorOut for code in (400, 401, 404, 429)}

Limit = Annotated[int, Field(ge=1, le=200)]
Cursor = Annotated[int, Field(ge=0, le=2**62)]


# --- helpers -------------------------------------------------------------------------------


def _agent(request):
    return request.agent


def _require_write(request) -> None:
    # Asked before the case is looked up: a read token learns nothing about references.
    if not request.api_token.can_write:
        raise ApiError(403, "insufficient_scope", "This token may only read; ask for a read-write token.")


def _visible(request):
    return Grievance.objects.visible_to(_agent(request))


def _case(request, reference: str) -> Grievance:
    canonical = normalize_reference(reference)
    if canonical is None:
        raise not_found()
    grievance = (
        _visible(request)
        .select_related("category__parent", "agency", "referred_to", "region", "programme", "complainant")
        .filter(reference=canonical)
        .first()
    )
    if grievance is None:
        raise not_found()
    return grievance


def _summary(grievance: Grievance) -> dict:
    return {
        "reference": grievance.reference,
        "status": grievance.status,
        "category_id": grievance.category_id,
        "agency": grievance.agency.slug,
        "referred_to": grievance.referred_to.slug if grievance.referred_to_id else None,
        "channel": grievance.channel,
        "lodged_at": grievance.lodged_at,
        "due_on": grievance.due_on,
        "version": grievance.version,
        "updated_at": grievance.updated_at,
    }


def _event(event: CaseEvent) -> dict:
    return {
        "id": event.pk,
        "kind": event.kind,
        "internal": not event.public,
        "actor": event.actor_label,
        "body": event.body,
        "status_after": event.status_after,
        "created_at": event.created_at,
    }


def _identity(agent, grievance: Grievance) -> dict:
    """The workspace's rule (``rules.identity_for``), without the page's own hint."""
    identity = rules.identity_for(agent, grievance)
    identity.pop("withheld_but_shown", None)
    return identity


def _category(category: Category) -> dict:
    return {
        "id": category.pk,
        "name": category.localized_name,
        "theme": category.parent.localized_name if category.parent_id else "",
        "description": category.localized_description,
        "sensitive": category.is_sensitive,
    }


def _detail(agent, grievance: Grievance) -> dict:
    events = grievance.events.order_by("created_at", "id")
    return {
        **_summary(grievance),
        "description": grievance.description,
        "language": grievance.language,
        "category": _category(grievance.category),
        "region": grievance.region.code if grievance.region_id else None,
        "programme": grievance.programme.localized_name if grievance.programme_id else None,
        "occurred_on": grievance.occurred_on,
        "people_affected": grievance.people_affected,
        "acknowledge_due": grievance.acknowledge_due,
        "resolve_due": grievance.resolve_due,
        "appeal_due": grievance.appeal_due,
        "resolved_at": grievance.resolved_at,
        "closed_at": grievance.closed_at,
        "decision": grievance.decision,
        "decision_reasons": grievance.decision_reasons,
        "remedy": grievance.remedy,
        "identity": _identity(agent, grievance),
        "events": [_event(event) for event in events],
    }


def _acted(grievance: Grievance, event) -> dict:
    grievance.refresh_from_db(fields=["status", "version"])
    return {"reference": grievance.reference, "status": grievance.status, "version": grievance.version, "event": event}


# --- reading ---------------------------------------------------------------------------------


@api.get("/token", response={200: schemas.TokenOut, **READ_ERRORS}, summary="The token in use")
def token_info(request):
    token = request.api_token
    return {
        "name": token.name,
        "scope": token.scope,
        "sensitive": token.sensitive,
        "organization": {"slug": token.organization.slug, "name": token.organization.localized_name},
    }


@api.get("/categories", response={200: list[schemas.CategoryOut], **READ_ERRORS}, summary="Categories to lodge under")
def categories(request):
    rows = Category.objects.filter(active=True, parent__isnull=False).select_related("parent")
    return [_category(category) for category in rows.order_by("parent__position", "position", "name")]


@api.get("/cases", response={200: schemas.CasePage, **READ_ERRORS}, summary="The cases this token may see")
def case_list(
    request,
    status: schemas.StatusName | None = None,
    updated_since: schemas.Instant | None = None,
    after: Cursor = 0,
    limit: Limit = 50,
):
    """Oldest first by internal id; page with `after` (the `next_after` of the previous page)."""
    cases = _visible(request).filter(pk__gt=after)
    if status:
        cases = cases.filter(status=status)
    if updated_since:
        cases = cases.filter(updated_at__gte=updated_since)
    rows = list(cases.select_related("agency", "referred_to").order_by("pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": [_summary(row) for row in rows], "next_after": rows[-1].pk if more else None}


@api.get("/cases/{reference}", response={200: schemas.CaseOut, **READ_ERRORS}, summary="One case and its timeline")
def case_detail(request, reference: str):
    """The whole timeline, internal events marked `internal: true` (the staff side sees them)."""
    grievance = _case(request, reference)
    # Like every staff page that shows a case: the access log says which token read it.
    services.grievance_record_access(grievance=grievance, user=_agent(request), what="api")
    return _detail(_agent(request), grievance)


@api.get(
    "/insights/themes",
    response={200: schemas.ThemesOut, **READ_ERRORS},
    summary="Themes of the cases this token may see",
)
def insights_themes(request):
    """Themes of the last refresh, each with only the cases this token may see (a case is in at most one)."""
    refresh = insights.last_refresh()
    themes = insights.themes_for_api(_agent(request))
    return {
        "computed_at": refresh.computed_at if refresh else None,
        "themes": [
            {
                "id": str(theme.id),
                "label": theme.label,
                "size": theme.size,
                "cases": theme.cases,
                "emerging": theme.emerging,
            }
            for theme in themes
        ],
    }


SimilarLimit = Annotated[int, Field(ge=1, le=50)]


@api.get("/cases/{reference}/similar", response={200: schemas.SimilarOut, **READ_ERRORS}, summary="Cases like this one")
def case_similar(request, reference: str, limit: SimilarLimit = 10):
    """Most similar first, scores 0..1; never the case itself, never a case this token may not see."""
    grievance = _case(request, reference)
    similar = insights.similar_to(_agent(request), grievance, limit=limit)
    return {"similar": [{"reference": item.reference, "score": item.score} for item in similar]}


@api.get("/changes", response={200: schemas.ChangePage, **READ_ERRORS}, summary="Timeline events since a cursor")
def changes(request, after: Cursor = 0, limit: Limit = 100):
    """Every new timeline event of every case this token may see, in the order they were written.

    Start with `after=0`; keep the returned `cursor` and pass it next time.
    """
    events = list(
        CaseEvent.objects.filter(grievance__in=_visible(request).values("pk"), pk__gt=after)
        .select_related("grievance")
        .order_by("pk")[:limit]
    )
    items = [{**_event(event), "case": event.grievance.reference} for event in events]
    return {"items": items, "cursor": events[-1].pk if events else after}


# --- acting ---------------------------------------------------------------------------------


def _act(request, reference: str, service, **arguments) -> dict:
    _require_write(request)
    grievance = _case(request, reference)
    event = service(grievance=grievance, user=_agent(request), **arguments)
    return _acted(grievance, _event(event))


@api.post("/cases/{reference}/acknowledge", response={200: schemas.ActionOut, **ERRORS})
def acknowledge(request, reference: str, data: schemas.VersionIn):
    return _act(request, reference, services.grievance_acknowledge, version=data.version)


@api.post("/cases/{reference}/start", response={200: schemas.ActionOut, **ERRORS}, summary="Mark as in progress")
def start(request, reference: str, data: schemas.VersionIn):
    return _act(request, reference, services.grievance_start, version=data.version)


@api.post("/cases/{reference}/notes", response={200: schemas.ActionOut, **ERRORS}, summary="Add an internal note")
def note(request, reference: str, data: schemas.BodyIn):
    return _act(
        request, reference, services.grievance_add_note, version=data.version, body=data.body, language=data.language
    )


@api.post("/cases/{reference}/messages", response={200: schemas.ActionOut, **ERRORS}, summary="Message the complainant")
def message(request, reference: str, data: schemas.BodyIn):
    return _act(
        request, reference, services.grievance_message, version=data.version, body=data.body, language=data.language
    )


@api.post(
    "/cases/{reference}/information-requests",
    response={200: schemas.ActionOut, **ERRORS},
    summary="Ask the complainant for information (the deadline pauses)",
)
def request_information(request, reference: str, data: schemas.BodyIn):
    return _act(
        request,
        reference,
        services.grievance_request_information,
        version=data.version,
        body=data.body,
        language=data.language,
    )


@api.post("/cases/{reference}/decision", response={200: schemas.ActionOut, **ERRORS}, summary="Resolve with a decision")
def decide(request, reference: str, data: schemas.DecisionIn):
    return _act(
        request,
        reference,
        services.grievance_resolve,
        version=data.version,
        decision=data.decision,
        reasons=data.reasons,
        remedy=data.remedy,
    )


@api.post("/cases/{reference}/close", response={200: schemas.ActionOut, **ERRORS}, summary="Close a decided case")
def close(request, reference: str, data: schemas.CloseIn):
    return _act(request, reference, services.grievance_close, version=data.version, reason=data.reason)


@api.post("/cases/{reference}/referral/accept", response={200: schemas.ActionOut, **ERRORS})
def accept_referral(request, reference: str, data: schemas.VersionIn):
    return _act(request, reference, services.grievance_accept_referral, version=data.version)


@api.post("/cases/{reference}/referral/return", response={200: schemas.ActionOut, **ERRORS})
def return_referral(request, reference: str, data: schemas.ReturnIn):
    return _act(request, reference, services.grievance_return_referral, version=data.version, reasons=data.reasons)


# --- lodging ---------------------------------------------------------------------------------


@api.post(
    "/grievances",
    response={201: schemas.LodgedOut, **ERRORS},
    summary="Lodge a grievance received by another channel",
)
def lodge(request, data: schemas.LodgeIn):
    """A call centre, an SMS gateway or a paper form: recorded as assisted intake by the token.

    The reference and PIN are returned once; when a phone number or e-mail
    address is given the person also receives them from Suara.
    """
    _require_write(request)
    category = Category.objects.filter(pk=data.category, active=True, parent__isnull=False).first()
    if category is None:
        raise ValidationError({"category": _("Please choose a category from /api/v1/categories.")})
    region = None
    if data.region:
        region = Region.objects.filter(code=data.region).first()
        if region is None:
            raise ValidationError({"region": _("No region has this code.")})
    language = data.language.strip() or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Please give the code of one of the portal's languages.")})
    with transaction.atomic():
        claimed = idempotency.claim(request, scope=f"api-v1:{_agent(request).pk}", data=data)
        if claimed is not None and not claimed.first:
            # A retry: its first case, whose PIN is not kept in clear.
            first = claimed.record.grievance
            return Reply(
                201,
                {"reference": first.reference, "pin": None, "status": first.status, "version": first.version}
                | {"replayed": True},
            )
        lodged = services.grievance_lodge_assisted(
            user=_agent(request),
            channel=data.channel,
            category=category,
            description=data.description,
            contact_preference=data.contact_preference,
            confidentiality=data.confidentiality,
            anonymous=data.anonymous,
            contact_name=data.contact_name,
            contact_phone=data.contact_phone,
            contact_email=data.contact_email,
            occurred_on=data.occurred_on,
            region=region,
            language=language,
        )
        if claimed is not None:
            services.submission_settle(submission=claimed, grievance=lodged.grievance)
    grievance = lodged.grievance
    return Reply(
        201,
        {"reference": grievance.reference, "pin": lodged.pin, "status": grievance.status, "version": grievance.version},
    )
