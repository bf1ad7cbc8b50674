"""The ``Idempotency-Key`` header of the lodging endpoints: a retried request lodges once."""

from __future__ import annotations

from grievances import services
from grievances.api.errors import ApiError
from grievances.submissions import KEY_MAX_LENGTH, body_digest

HEADER = "Idempotency-Key"


def claim(request, *, scope: str, data) -> services.Submission | None:
    """Claim the request's key (inside the lodging's transaction), or None when it sent none.

    ``scope`` names who sent it (a token, a client address): the same key
    from someone else is a different key. ``data`` is the validated body;
    the same key with a different body is refused, never answered with a
    case the caller did not ask for.
    """
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > KEY_MAX_LENGTH or not key.isprintable():
        raise ApiError(400, "invalid", f"{HEADER}: give 1 to {KEY_MAX_LENGTH} printable characters.")
    body = body_digest([request.path, data.model_dump_json()])
    claimed = services.submission_claim(scope=scope, key=key, body=body)
    if not claimed.first and not claimed.same_body(body):
        raise ApiError(
            409,
            "idempotency_key_reused",
            f"This {HEADER} was sent before with a different request. Use a new key for a new grievance.",
        )
    return claimed
