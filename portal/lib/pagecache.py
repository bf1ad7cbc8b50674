"""A shared cache of public pages for visitors who are not signed in.

Wagtail finds the site and the page, and checks view restrictions, in four
queries of Python-heavy SQL on every request; for an anonymous visitor the
answer is the same every time. This middleware serves such visitors a stored
copy, and stores only what is safe to share:

- GET/HEAD, no session cookie (nobody signed in), no pending messages, and
  nothing under the private prefixes (grievances, workspace, /my/, accounts,
  the admin);
- a 200 response that sets no cookie, is not marked private or no-store, and
  did not use the CSRF token (a page with a token embeds one visitor's secret).

Entries live for ``SUARA_PAGE_CACHE_SECONDS`` and are dropped at once when
any page is published, unpublished, moved or deleted (a generation number in
the cache is bumped). A cache that is down just means every request is built.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language_from_request

GENERATION_KEY = "suara:pagecache:generation"
MARKER_HEADER = "X-Suara-Cache"
_STORED_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Content-Security-Policy",
    "Vary",
    "Cache-Control",
    "Expires",
    "Last-Modified",
    "Referrer-Policy",
    "X-Frame-Options",
    "Cross-Origin-Opener-Policy",
    "X-Content-Type-Options",
)


def bump_generation(**kwargs) -> None:
    """Forget every stored page (called when the page tree changes)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def _cacheable_request(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return False
    path = request.path
    excluded = (
        *settings.SUARA_NO_STORE_PREFIXES,
        *settings.SUARA_ADMIN_PATH_PREFIXES,
        "/healthz",
        "/readyz",
        "/static/",
        "/media/",
        "/documents/",
        "/i18n/",
        "/ws/",
    )
    return not path.startswith(excluded)


def _key(request) -> str:
    generation = cache.get(GENERATION_KEY) or 0
    language = get_language_from_request(request)
    raw = f"{request.get_host()}|{language}|{request.get_full_path()}"
    return f"suara:page:{generation}:{hashlib.sha256(raw.encode()).hexdigest()}"


def _cacheable_response(request, response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not request.META.get("CSRF_COOKIE_USED")
    )


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.SUARA_PAGE_CACHE_SECONDS
        if not seconds or not _cacheable_request(request):
            return self.get_response(request)
        key = _key(request)
        stored = cache.get(key)
        if stored is not None:
            content, headers = stored
            response = HttpResponse(content if request.method == "GET" else b"", status=200)
            for name, value in headers.items():
                response[name] = value
            response[MARKER_HEADER] = "hit"
            return response
        response = self.get_response(request)
        if request.method == "GET" and _cacheable_response(request, response):
            headers = {name: response[name] for name in _STORED_HEADERS if name in response}
            cache.set(key, (response.content, headers), seconds)
            response[MARKER_HEADER] = "miss"
        return response
