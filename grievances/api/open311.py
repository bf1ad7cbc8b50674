"""An Open311 GeoReport v2 compatible subset at ``/api/open311/v2/`` (JSON).

Services are the grievance categories; a service request is a grievance,
of which only the public status is ever shown. Submitting is open to anyone,
as the web form is, within the same per-address limit.

Following needs no reference and PIN: ``service_request_id`` is a capability,
the reference with a keyed signature bound to the case's PIN, returned once
when the request is submitted. A guessed or altered id is simply "not
found", so nobody learns whether a reference exists.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.html import escape
from django.utils.translation import gettext as _
from ninja import Form, Schema
from ninja import Status as Reply
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import Field

from grievances import services, throttle
from grievances.api import idempotency
from grievances.api.auth import check_rate
from grievances.api.errors import ApiError, DocumentedApi
from grievances.api.schemas import text
from grievances.models import CaseEvent, Category, Grievance
from grievances.references import normalize_reference
from grievances.workflow import Status

SALT = "suara.open311.request"

api = DocumentedApi(
    title="Suara Open311 GeoReport v2 (subset)",
    version="v2",
    urls_namespace="open311-v2",
    docs_url=None,
    description="Services are grievance categories; requests are grievances, public status only.",
)


XML_ONLY = (
    "This server answers Open311 GeoReport v2 in JSON: ask for the same address ending in .json "
    "(services.json, services/<code>.json, requests.json, requests/<id>.json)."
)
UNKNOWN = "No such Open311 resource. This server offers services.json, services/<code>.json and requests.json."


def not_found(request, rest: str = "") -> HttpResponse:
    """Any other address under Open311: a GeoReport error in the format the client asked for, never the v1 API's."""
    if rest.endswith(".xml"):
        # GeoReport's default format is XML; a client asking for it gets an error it can parse.
        body = (
            '<?xml version="1.0" encoding="utf-8"?>\n<errors><error><code>404</code>'
            f"<description>{escape(XML_ONLY)}</description></error></errors>"
        )
        return HttpResponse(body, status=404, content_type="application/xml; charset=utf-8")
    return _errors(404, UNKNOWN)


def _errors(status: int, description: str, *, headers: dict | None = None) -> JsonResponse:
    # Open311 reports errors as a list of {code, description}.
    response = JsonResponse([{"code": status, "description": description}], status=status, safe=False)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return _errors(exc.status, exc.message, headers=exc.headers)


@api.exception_handler(NinjaValidationError)
def _invalid_request(request, exc):
    fields = sorted({str(error.get("loc", ("",))[-1]) for error in exc.errors})
    return _errors(400, "Missing or invalid: " + ", ".join(fields))


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    return _errors(400, " ".join(str(m) for m in exc.messages))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return _errors(exc.status_code, str(exc))


@api.exception_handler(Exception)
def _crash(request, exc):
    import logging

    logging.getLogger(__name__).exception("Open311 error on %s %s", request.method, request.path)
    return _errors(500, "Something went wrong on our side.")


def _client_address(request) -> str:
    try:
        return throttle.client_address(request)
    except PermissionDenied:
        # No usable address (a missing REMOTE_ADDR, a forged proxy chain):
        # such callers share one allowance rather than getting a 500.
        return "unknown"


def _limit(request) -> None:
    check_rate(f"open311:{_client_address(request)}", settings.SUARA_OPEN311_RATE_LIMIT_PER_MINUTE)


def request_id(grievance: Grievance) -> str:
    return f"{grievance.reference}.{_signature(grievance)}"


def _signature(grievance: Grievance) -> str:
    # Bound to the PIN's hash: issuing a new PIN retires every id given out before.
    return salted_hmac(SALT, f"{grievance.reference}|{grievance.pin_hash}", algorithm="sha256").hexdigest()[:32]


def _find(service_request_id: str) -> Grievance | None:
    reference, _dot, signature = (service_request_id or "").partition(".")
    canonical = normalize_reference(reference)
    if canonical is None or len(signature) != 32:
        return None
    grievance = Grievance.objects.select_related("category__parent", "agency").filter(reference=canonical).first()
    if grievance is None or not hmac.compare_digest(_signature(grievance), signature):
        return None
    return grievance


class ErrorItem(Schema):
    code: int
    description: str


ERRORS = {code: list[ErrorItem] for code in (400, 404, 429)}


class ServiceOut(Schema):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str


class ServiceDefinitionOut(Schema):
    service_code: str
    attributes: list[dict]


class RequestOut(Schema):
    service_request_id: str
    status: str
    status_notes: str
    service_name: str
    service_code: str
    agency_responsible: str
    requested_datetime: str
    updated_datetime: str
    expected_datetime: str | None
    address: str = ""
    lat: float | None = None
    long: float | None = None
    media_url: str | None = None


class SubmittedOut(Schema):
    service_request_id: str
    service_notice: str
    account_id: str | None = None
    reference: str
    pin: str | None


class RequestIn(Schema):
    service_code: Annotated[str, Field(max_length=20)]
    description: text(5000, min_length=1)
    # A form cannot send null: the document offers a number or nothing.
    lat: Annotated[float, Field(ge=-90, le=90)] = None
    long: Annotated[float, Field(ge=-180, le=180)] = None
    address_string: text(500) = ""
    email: text(254) = Field(default="", description="An e-mail address, or empty; anything else is refused with 400.")
    first_name: text(70) = ""
    last_name: text(70) = ""
    phone: text(32) = ""
    device_id: text(100) = ""
    account_id: text(100) = ""
    media_url: text(500) = ""
    # Not in GeoReport v2: Suara's own, because the person's language follows their case.
    language: text(10) = Field(
        default="",
        description="Suara's extension: the person's language, a code of the portal's languages (`en`, `th`, `vi`, "
        "`zh-hans`, ...). Their acknowledgement and notices come in it. Empty means the request's language "
        "(`Accept-Language`); a code the portal does not offer is refused with 400.",
    )


def _services():
    return Category.objects.filter(active=True, parent__isnull=False).select_related("parent")


def _service(category: Category) -> dict:
    return {
        "service_code": str(category.pk),
        "service_name": category.localized_name,
        "description": category.localized_description,
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": category.parent.localized_name if category.parent_id else "",
    }


@api.get("/services.json", response={200: list[ServiceOut], 429: list[ErrorItem]})
def service_list(request):
    _limit(request)
    return [_service(c) for c in _services().order_by("parent__position", "position", "name")]


@api.get("/services/{service_code}.json", response={200: ServiceDefinitionOut, **ERRORS})
def service_definition(request, service_code: str):
    _limit(request)
    category = (
        _services().filter(pk=int(service_code)).first()
        if service_code.isascii() and service_code.isdigit() and len(service_code) < 15
        else None
    )
    if category is None:
        raise ApiError(404, "not_found", "No such service.")
    return {"service_code": str(category.pk), "attributes": []}


def _request(grievance: Grievance) -> dict:
    status = Status(grievance.status)
    last_public = (
        CaseEvent.objects.filter(grievance=grievance, public=True)
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)
        .first()
        or grievance.lodged_at
    )
    return {
        "service_request_id": request_id(grievance),
        "status": "open" if status.is_open else "closed",
        "status_notes": str(status.label),
        "service_name": grievance.category.localized_name,
        "service_code": str(grievance.category_id),
        "agency_responsible": grievance.agency.localized_name,
        "requested_datetime": grievance.lodged_at.isoformat(),
        "updated_datetime": last_public.isoformat(),
        "expected_datetime": grievance.resolve_due.isoformat() if grievance.resolve_due and status.is_open else None,
    }


@api.get("/requests/{service_request_id}.json", response={200: list[RequestOut], **ERRORS})
def request_detail(request, service_request_id: str):
    _limit(request)
    grievance = _find(service_request_id)
    if grievance is None:
        raise ApiError(404, "not_found", "No service request has this id.")
    return [_request(grievance)]


@api.get("/requests.json", response={200: list[RequestOut], **ERRORS})
def request_list(request, service_request_id: Annotated[str, Field(min_length=1, max_length=2000)]):
    """Only the requests named in `service_request_id` (comma-separated): there is no public list."""
    _limit(request)
    # Without an id (absent or empty) the schema's validation refuses with 400: there is no public list.
    ids = [part.strip() for part in service_request_id.split(",") if part.strip()][:50]
    return [_request(g) for g in (_find(i) for i in ids) if g is not None]


@api.post("/requests.json", response={201: list[SubmittedOut], **ERRORS})
def request_submit(request, data: Form[RequestIn]):
    """Lodge a grievance. Without e-mail or phone it is anonymous: keep the id, reference and PIN."""
    address = _client_address(request)
    if seconds := throttle.retry_after(throttle.LODGE_PER_ADDRESS, address):
        raise ApiError(
            429, "rate_limited", "Too many grievances from this address.", headers={"Retry-After": str(seconds)}
        )
    code = data.service_code.strip()
    category = (
        _services().filter(pk=int(code)).first() if code.isascii() and code.isdigit() and len(code) < 15 else None
    )
    if category is None:
        raise ApiError(400, "invalid", "service_code: no such service.")
    language = data.language.strip() or translation.get_language() or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        raise ApiError(400, "invalid", "language: not one of the portal's languages.")
    email, phone = data.email.strip(), data.phone.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ApiError(400, "invalid", "email: not an e-mail address.") from None
    name = " ".join(part for part in (data.first_name.strip(), data.last_name.strip()) if part)
    anonymous = not (email or phone)
    contact = Grievance.Contact.EMAIL if email else Grievance.Contact.PHONE if phone else Grievance.Contact.NONE
    with transaction.atomic():
        claimed = idempotency.claim(request, scope=f"open311:{address}", data=data)
        if claimed is not None and not claimed.first:
            # A retry: its first request, whose PIN is not kept in clear.
            first = claimed.record.grievance
            return Reply(201, [_submitted(first, pin=None)])
        lodged = services.grievance_lodge(
            category=category,
            description=data.description,
            contact_preference=contact,
            anonymous=anonymous,
            contact_name=name,
            contact_phone=phone,
            contact_email=email,
            language=language,
        )
        if claimed is not None:
            services.submission_settle(submission=claimed, grievance=lodged.grievance)
        throttle.record(throttle.LODGE_PER_ADDRESS, address)
    return Reply(201, [_submitted(lodged.grievance, pin=lodged.pin)])


def _submitted(grievance: Grievance, *, pin: str | None) -> dict:
    # The caller shows the notice to the person: in their case's language.
    with translation.override(grievance.language):
        notice = _("Your grievance %(reference)s has been received by %(agency)s.") % {
            "reference": grievance.reference,
            "agency": grievance.agency.localized_name,
        }
    submitted = {
        "service_request_id": request_id(grievance),
        "service_notice": notice,
        "reference": grievance.reference,
        "pin": pin,
    }
    return submitted
