"""Views every app shares: health, a person's own page, the language switch."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.health import run_checks


@never_cache
@require_GET
def healthz(request):
    """200 when the database, cache, channel layer and task backend all answer; 503 naming what is down."""
    checks = run_checks()
    down = sorted(name for name, result in checks.items() if result["status"] != "up")
    body = {"status": "down" if down else "up", "down": down, "checks": checks}
    return JsonResponse(body, status=503 if down else 200)


@never_cache
@login_required
def my_page(request):
    """A signed-in person's own page: their organizations and roles (cases and responses join later)."""
    memberships = (
        request.user.memberships.active().select_related("organization").order_by("organization__name", "role")
    )
    return render(request, "portal/my.html", {"memberships": memberships})
