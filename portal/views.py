"""Views every app shares: health, a person's own page, the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from wagtail import views as wagtail_views
from wagtail.models import Page, Site

from portal import memberships, registry
from portal.lib.datasection import DataRecord, DataSection, as_json
from portal.lib.health import pdf_font_warnings, run_checks
from portal.lib.i18n import split_language_prefix, with_language_prefix
from portal.lib.pdf import render_pdf
from portal.models import Membership


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


def _my_data_sections(user) -> list[DataSection]:
    account = DataRecord(
        title=_("Your account"),
        fields=[
            ("email", _("E-mail address"), user.email),
            ("name", _("Name"), user.get_full_name()),
            ("language", _("Language"), getattr(user, "language", "")),
            ("joined", _("Joined"), user.date_joined),
            ("last_sign_in", _("Last signed in"), user.last_login),
        ],
    )
    for membership in user.memberships.select_related("organization").order_by("pk"):
        account.entries.append(
            DataRecord(
                title=membership.organization.name,
                fields=[
                    ("organization", _("Organization"), membership.organization.name),
                    ("role", _("Role"), membership.get_role_display()),
                ],
            )
        )
    account.entries_key, account.entries_label = "memberships", _("Your organizations")
    # Each app adds what it keeps (cases, responses) through a hook (portal.registry).
    return [DataSection("account", _("Your account"), [account]), *registry.my_data_sections(user)]


@never_cache
@login_required
def my_data(request):
    """Everything kept about the signed-in person, as JSON to take away."""
    response = JsonResponse(as_json(_my_data_sections(request.user)), json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="suara-my-data.json"'
    return response


@never_cache
@login_required
def my_data_pdf(request):
    """The same as :func:`my_data`, as a PDF a person can read."""
    sections = _my_data_sections(request.user)
    pdf = render_pdf(
        "portal/pdf/my_data.html",
        {"title": _("Everything Suara keeps about you"), "data_sections": sections, "lang": request.LANGUAGE_CODE},
        request=request,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="suara-my-data.pdf"'
    return response


@never_cache
@login_required
def my_delete(request):
    """A person deletes their own account; each app first anonymises what it owned (a hook, portal.registry)."""
    user = request.user
    staff = user.is_staff or user.memberships.exclude(role=Membership.Role.MEMBER).exists()
    error = ""
    if request.method == "POST" and not staff:
        if request.POST.get("confirm") != "yes":
            error = _("Please tick the box to confirm.")
        elif not user.check_password(request.POST.get("password", "")):
            error = _("The password is not right.")
        else:
            with transaction.atomic():
                registry.account_deleting(user)
                logout(request)
                user.delete()
            messages.success(request, _("Your account is deleted."))
            return redirect("/")
    return render(request, "portal/my_delete.html", {"staff": staff, "error": error}, status=400 if error else 200)


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
    """The language switch: remember the choice and go back to ``next``, in the chosen language.

    Without CSRF protection: forcing someone's display language is harmless,
    while a CSRF token in the header would set a cookie on every first visit
    and make every public page uncacheable (see portal.lib.pagecache).

    The choice is kept in the language cookie and, for a signed-in person, in
    their ``preferred_language`` (used on every device they sign in on). A
    ``next`` under a language prefix (``/th/consultations/``) moves to the
    chosen language's prefix; Django's own view resolves ``next`` in the
    language active *now*, which misses a page shared in another language.
    """
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseRedirect(next_url)
    parts = urlsplit(next_url)
    if split_language_prefix(parts.path)[0] is not None:
        next_url = urlunsplit(parts._replace(path=with_language_prefix(parts.path, language)))
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    if request.user.is_authenticated and request.user.preferred_language != language:
        request.user.preferred_language = language
        request.user.save(update_fields=["preferred_language"])
    return response


def _route_in_original_tree(request, path: str):
    """Route ``path`` from the site's own root page, whatever language is active (None if nothing is there)."""
    site = Site.find_for_request(request)
    if site is None:
        return None
    try:
        return site.root_page.specific.route(request, [c for c in path.split("/") if c])
    except Http404:
        return None


def serve_page(request, path: str):
    """Wagtail's page serving, under a language prefix, with a fallback instead of a 404.

    Wagtail routes from the home page in the active language. Where that tree
    has no page at ``path`` (not yet translated), the page is looked up in the
    site's original tree: if it has a translation in the reader's language
    (under another slug), the reader is sent there; otherwise the original is
    shown, and the page template says so in the reader's language (see
    ``{% page_language_note %}``). Never a 404 for a page that exists.
    """
    if Page.route_for_request(request, path) is None:
        found = _route_in_original_tree(request, path)
        if found is not None:
            page = found[0]
            translated = page.localized
            if translated.pk != page.pk and translated.live:
                own_path = page.get_url_parts(request)[2]
                _language, own_rest = split_language_prefix(own_path)
                rest = ("/" + path)[len(own_rest) :] if ("/" + path).startswith(own_rest) else ""
                return HttpResponseRedirect(translated.get_url(request) + rest)
            request._wagtail_route_for_request = found
    return wagtail_views.serve(request, path)


def page_in_reader_language(request, path: str):
    """A page's unprefixed address: on to the same address in the reader's language (their choice or browser)."""
    target = with_language_prefix("/" + path, request.LANGUAGE_CODE)
    query = request.META.get("QUERY_STRING", "")
    return HttpResponseRedirect(f"{target}?{query}" if query else target)
