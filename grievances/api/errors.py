"""Every API error is JSON ``{"code": ..., "message": ...}`` with the matching status.

``code`` is stable and meant for programs; ``message`` is for people and may
change. A case the caller may not see answers exactly like a missing one.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from grievances.workflow import ActionRefused, StaleCase

logger = logging.getLogger(__name__)


# Headers the error handlers set; ninja's document has no place for them, so they are added to it here.
ERROR_HEADERS = {
    "401": {
        "WWW-Authenticate": {
            "description": "How to authenticate: a bearer token.",
            "schema": {"type": "string"},
        }
    },
    "429": {
        "Retry-After": {
            "description": "Seconds to wait before the next request is counted again.",
            "required": True,
            "schema": {"type": "integer", "minimum": 1},
        }
    },
}


class DocumentedApi(NinjaAPI):
    """A NinjaAPI whose document also names the headers its errors carry (Retry-After on 429, ...)."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for path in document.get("paths", {}).values():
            for operation in path.values():
                for status, response in operation.get("responses", {}).items():
                    # ninja keys the responses by int until the document is written out.
                    if str(status) in ERROR_HEADERS:
                        response.setdefault("headers", {}).update(ERROR_HEADERS[str(status)])
        return document


class ErrorOut(Schema):
    code: str
    message: str


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, *, headers: dict | None = None, **extra):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers, self.extra = headers or {}, extra


NOT_FOUND_MESSAGE = "Nothing here, or nothing this token may see."


def not_found() -> ApiError:
    return ApiError(404, "not_found", NOT_FOUND_MESSAGE)


def error_response(status: int, code: str, message: str, *, headers: dict | None = None, **extra) -> JsonResponse:
    response = JsonResponse({"code": code, "message": message, **extra}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _validation_fields(error: DjangoValidationError) -> dict:
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


def install_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ApiError)
    def _api_error(request, exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, headers=exc.headers, **exc.extra)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        return error_response(
            401,
            "unauthorized",
            "A valid API token is needed: send it as “Authorization: Bearer <token>”.",
            headers={"WWW-Authenticate": 'Bearer realm="suara"'},
        )

    @api.exception_handler(NinjaValidationError)
    def _invalid_request(request, exc: NinjaValidationError):
        errors = [
            {"loc": [str(part) for part in error.get("loc", ())], "message": str(error.get("msg", ""))}
            for error in exc.errors
        ]
        return error_response(400, "invalid_request", "The request does not match the API's schema.", errors=errors)

    @api.exception_handler(DjangoValidationError)
    def _invalid(request, exc: DjangoValidationError):
        return error_response(400, "invalid", "Please correct the fields named.", fields=_validation_fields(exc))

    @api.exception_handler(StaleCase)
    def _stale(request, exc):
        return error_response(409, "stale_version", str(exc))

    @api.exception_handler(ActionRefused)
    def _refused(request, exc):
        return error_response(409, "action_refused", str(exc))

    @api.exception_handler(PermissionDenied)
    def _forbidden(request, exc):
        return error_response(403, "forbidden", str(exc) or "This token may not do this.")

    @api.exception_handler(Http404)
    def _missing(request, exc):
        return error_response(404, "not_found", NOT_FOUND_MESSAGE)

    @api.exception_handler(HttpError)
    def _http_error(request, exc: HttpError):
        codes = {400: "bad_request", 405: "method_not_allowed", 413: "too_large", 415: "unsupported_media_type"}
        return error_response(exc.status_code, codes.get(exc.status_code, f"http_{exc.status_code}"), str(exc))

    @api.exception_handler(Exception)
    def _crash(request, exc):
        logger.exception("API error on %s %s", request.method, request.path)
        return error_response(500, "server_error", "Something went wrong on our side; it has been logged.")
