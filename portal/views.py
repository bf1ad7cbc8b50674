"""Views every app shares: health, a person's own page, the language switch."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from portal import memberships, registry
from portal.lib.health import pdf_font_warnings, run_checks


def _health_body() -> tuple[dict, list[str]]:
    checks = run_checks()
    down = sorted(name for name, result in checks.items() if result["status"] != "up")
    return {"down": down, "checks": checks, "warnings": pdf_font_warnings()}, down


@never_cache
@require_GET
def healthz(request):
    """Liveness: 200 whenever this process can answer; the body names what is degraded and any warnings.

    A load balancer or supervisor restarting a process cannot bring Redis or
    a font back, so nothing outside the process turns this into a 503.
    """
    body, down = _health_body()
    return JsonResponse({"status": "degraded" if down else "up", **body})


@never_cache
@require_GET
def readyz(request):
    """Readiness: 200 when the database, cache, channel layer and task backend answer; 503 naming what is down."""
    body, down = _health_body()
    return JsonResponse({"status": "down" if down else "up", **body}, status=503 if down else 200)


@never_cache
@login_required
def my_page(request):
    """A signed-in person's own page: their cases, responses, organizations and account."""
    memberships = (
        request.user.memberships.active().select_related("organization").order_by("organization__name", "role")
    )
    # Each app contributes its block (grievances, consultation responses)
    # through a hook (portal.registry), so portal imports no app.
    sections = registry.my_page_sections(request)
    return render(request, "portal/my.html", {"memberships": memberships, "sections": sections})


@never_cache
@login_required
def invitation_accept(request, token):
    """An invited person, signed in with the invited address, takes the role offered."""
    try:
        invitation = memberships.invitation_from_token(token)
    except ValidationError as error:
        return render(request, "portal/invitation.html", {"error": " ".join(error.messages)}, status=400)
    if request.method == "POST":
        try:
            memberships.invitation_accept(user=request.user, invitation=invitation)
        except PermissionDenied as error:
            return render(
                request, "portal/invitation.html", {"invitation": invitation, "error": str(error)}, status=403
            )
        except ValidationError as error:
            return render(request, "portal/invitation.html", {"error": " ".join(error.messages)}, status=400)
        messages.success(
            request,
            _("You now hold the role “%(role)s” for %(organization)s.")
            % {"role": invitation.get_role_display(), "organization": invitation.organization.name},
        )
        return redirect("my")
    return render(request, "portal/invitation.html", {"invitation": invitation})


@csrf_exempt
@require_POST
def set_language(request):
    """Django's language switch, without CSRF protection.

    Forcing someone's display language is harmless, while a CSRF token in
    the footer would set a cookie on every first visit and make every public
    page uncacheable (see portal.lib.pagecache).
    """
    return django_set_language(request)
