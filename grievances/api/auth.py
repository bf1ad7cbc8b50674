"""Bearer tokens: find by public prefix, compare the hash, count against the rate limit."""

from __future__ import annotations

import hmac
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from ninja.security import HttpBearer

from grievances.api.errors import ApiError
from grievances.api.models import ApiToken, token_hash
from portal.lib.ratelimit import CacheStore, Limit

# last_used_at is written at most this often per token: a write per request
# would turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def find_token(secret: str) -> ApiToken | None:
    """The active token whose secret this is, or None (unknown, malformed or revoked)."""
    parts = (secret or "").split("_", 2)
    if len(parts) != 3 or parts[0] != "suara" or len(parts[1]) != 12 or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("organization", "agent")
        .filter(prefix=parts[1], revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, token_hash(secret)):
        return None
    if not token.agent.is_active:
        return None
    return token


# Counted in the cache (Redis in production): a database write per request
# would cost more than the lapse a cache outage allows (a token, or an Open311
# caller's address, may briefly go uncounted).
RATES = CacheStore()


def check_rate(key: str, limit: int, window: int = 60) -> None:
    """Count one request against ``limit`` a ``window``; over it → 429 with Retry-After."""
    retry = RATES.take(Limit("api", limit, timedelta(seconds=window)), key)
    if retry:
        raise ApiError(
            429,
            "rate_limited",
            f"Too many requests: {limit} a minute are allowed. Try again in {retry} seconds.",
            headers={"Retry-After": str(retry)},
        )


class TokenAuth(HttpBearer):
    openapi_description = "An API token made in the workspace: `Authorization: Bearer suara_…`."

    def authenticate(self, request, token):
        found = find_token(token)
        if found is None:
            return None
        check_rate(f"token:{found.pk}", settings.SUARA_API_RATE_LIMIT_PER_MINUTE)
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.api_token = found
        # The service account acts: the read gate, rules and services see an officer.
        request.agent = found.agent
        return found
