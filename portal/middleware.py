"""Request-wide guards: the admin's CSP, and a second factor for staff."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.csp import CSP
from django.utils.translation import gettext as _

from portal.rules import has_staff_role

DEMO_EMAIL_DOMAIN = "demo.suara.test"


class AdminContentSecurityPolicyMiddleware:
    """Give Wagtail's admin its own CSP; the public site keeps the strict one.

    Wagtail previews a page by running a made-up request for the page's
    *public* address through the whole middleware stack (``is_preview`` on
    the request), and shows the answer in a frame of the editor. That answer
    keeps the public policy, except that the admin itself may frame it:
    with ``frame-ancestors 'none'`` the live preview stays blank and the
    Checks panel, which runs inside that frame, reports a false all-clear.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if hasattr(response, "_csp_config"):
            return response
        if getattr(request, "is_preview", False):
            response._csp_config = {**settings.SECURE_CSP, "frame-ancestors": [CSP.SELF]}
        elif request.path.startswith(settings.SUARA_ADMIN_PATH_PREFIXES):
            response._csp_config = settings.SUARA_ADMIN_CSP
        return response


# Paths where staff handle other people's data.
PROTECTED_PREFIXES = ("/workspace/", "/admin/")


def is_mfa_exempt(user) -> bool:
    """Only the seeded demo staff, and only when development allows it."""
    return bool(settings.SUARA_MFA_EXEMPT_DEMO and user.email.lower().endswith("@" + DEMO_EMAIL_DOMAIN))


def needs_second_factor(user) -> bool:
    from allauth.mfa.utils import is_mfa_enabled

    return has_staff_role(user) and not is_mfa_exempt(user) and not is_mfa_enabled(user)


class StaffSecondFactorMiddleware:
    """Send staff without a second factor to set one up before the workspace or admin."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.path.startswith(PROTECTED_PREFIXES)
            and user is not None
            and user.is_authenticated
            and needs_second_factor(user)
        ):
            messages.warning(
                request,
                _("Your role gives you access to other people's cases. Set up a second factor to continue."),
            )
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every response under the private prefixes.

    Views say ``never_cache`` too, but a 404 or 429 raised on the way would
    slip past a decorator; a shared computer or a proxy must never keep a
    copy of a grievance page, whatever its status code.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(settings.SUARA_NO_STORE_PREFIXES):
            response["Cache-Control"] = "no-store, private, max-age=0"
        return response


class PreferredLanguageMiddleware:
    """A signed-in person reads the site in the language they chose, on any device.

    After authentication; the address's own prefix still wins (a shared
    ``/th/`` link opens in Thai). ``portal.views.set_language`` keeps the
    choice up to date when they switch.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if not getattr(request, "language_from_path", None) and user is not None and user.is_authenticated:
            preferred = user.preferred_language
            if preferred and preferred != request.LANGUAGE_CODE and preferred in dict(settings.LANGUAGES):
                translation.activate(preferred)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class ClearSiteDataMiddleware:
    """Send ``Clear-Site-Data`` when a view or signal receiver asked for it on ``request.clear_site_data``.

    Whoever keeps data in the browser (the field-visit page's encrypted drafts)
    asks, on sign-out, that the browser delete it; the portal knows no app.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if kinds := getattr(request, "clear_site_data", None):
            response["Clear-Site-Data"] = ", ".join(kinds)
        return response
