"""The field-visit pages: the installable offline page, its worker and manifest, reserving and syncing.

The page is rendered in the person's language and cached by the service
worker with everything it needs, so it opens with no connection. The JSON
endpoints use the session and CSRF like any form of the site; drafts go up
one per request, so that a sync cut half-way resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from grievances.offline import services
from grievances.offline.forms import DraftForm
from portal.lib.sealed import keyed_hash
from portal.models import Organization

STATIC_DIR = Path(__file__).parent / "static" / "offline"
# What the service worker keeps besides the page itself (all of it counts in the size budget).
STATIC_FILES = ("offline/offline.js", "offline/offline.css", "css/suara.css", "img/suara.svg")


def _json(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _signed_in_json(view):
    """JSON endpoints answer 401 in JSON rather than redirect a script to the sign-in page."""

    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return _json({"status": "signed_out", "errors": {"__all__": [_("Please sign in again.")]}}, 401)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return never_cache(wrapped)


def cached_urls() -> list[str]:
    return [reverse("offline:page"), reverse("offline:manifest")] + [static(name) for name in STATIC_FILES]


def _worker_version() -> str:
    # A new script or list of files makes a new cache, and the old one is dropped.
    digest = hashlib.sha256("|".join(cached_urls()).encode())
    for name in ("offline.js", "offline.css"):
        digest.update((STATIC_DIR / name).read_bytes())
    return digest.hexdigest()[:12]


def _user_tag(user) -> str:
    """Lets the page notice that someone else signed in on the device, without learning who."""
    return keyed_hash(str(user.pk), purpose="offline-user-tag")[:16]


@login_required
@never_cache
@require_GET
def page(request):
    """The page a field worker installs and fills without a connection."""
    organizations = services.recording_organizations(request.user)
    if not organizations:
        raise PermissionDenied
    config = {
        "urls": {
            "state": reverse("offline:state"),
            "reserve": reverse("offline:reserve"),
            "sync": reverse("offline:sync"),
            "worker": reverse("offline:worker"),
            "track": reverse("grievances:track"),
        },
        "maxAgeDays": services.DRAFT_MAX_AGE.days,
        "organizations": {str(org.pk): org.name for org in organizations},
        "strings": {
            "online": _("Connected. Cases are sent as soon as they are saved."),
            "offline": _("No connection. Cases are kept on this device, encrypted, until you are back online."),
            "referencesLeft": _("References left on this device: %(count)s"),
            "waiting": _("Cases waiting to be sent: %(count)s"),
            "noReferences": _("No reference left on this device. Connect and get more before recording."),
            "saved": _("Saved on this device. Give the person the slip below."),
            "sending": _("Sending %(done)s of %(total)s…"),
            "sent": _("All cases were sent."),
            "sentCount": _("Sent: %(count)s."),
            "refused": _("Not accepted: fix the case and send it again."),
            "interrupted": _("The connection was lost. Sending resumes when it is back."),
            "signIn": _("Sign in again to send the cases waiting on this device."),
            "otherPerson": _("Someone else signed in on this device: the cases and references kept here were deleted."),
            "expired": _("Cases older than %(days)s days were deleted from this device."),
            "reserved": _("This device now holds %(count)s references."),
            "edit": pgettext("verb: correct a case the portal refused", "Fix"),
            "remove": _("Delete from this device"),
            "confirmRemove": _("Delete this case from the device? It has not been sent."),
            "recordedOn": _("Recorded on %(date)s"),
            "photosKept": _("%(count)s photo(s) kept with this case."),
            "noStorage": _("This browser cannot keep encrypted data; use the online form instead."),
            "pinLabel": _("PIN"),
            "referenceLabel": _("Reference"),
        },
    }
    return render(
        request,
        "grievances/offline/page.html",
        {
            "form": DraftForm(user=request.user),
            "organizations": organizations,
            "config": config,
            "language": get_language(),
        },
    )


@require_GET
def worker(request):
    """The service worker: keeps the page and its files, and serves them when offline."""
    response = render(
        request,
        "grievances/offline/sw.js",
        {
            "cached_urls": json.dumps(cached_urls()),
            "page_url": json.dumps(reverse("offline:page")),
            "version": _worker_version(),
        },
        content_type="text/javascript; charset=utf-8",
    )
    # Never kept by the HTTP cache (the portal sends no-store under /workspace/): an old
    # worker would keep serving old files.
    return response


@require_GET
def manifest(request):
    data = {
        "name": _("Suara field visits"),
        "short_name": _("Suara field"),
        "start_url": reverse("offline:page"),
        "scope": reverse("offline:page"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d4e89",
        "lang": get_language(),
        "icons": [{"src": static("img/suara.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")


@never_cache
@require_GET
def state(request):
    """Whether the browser is still signed in (and as whom, as a tag), with a fresh CSRF token."""
    if not request.user.is_authenticated:
        return _json({"signedIn": False}, 401)
    return _json({"signedIn": True, "user": _user_tag(request.user), "csrf": get_token(request)})


def _body(request) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@_signed_in_json
@require_POST
def reserve(request):
    """Hand this device a batch of references and PINs for the chosen organization."""
    data = _body(request)
    organization = Organization.objects.filter(pk=str(data.get("organization", ""))).first()
    if organization is None:
        return _json({"errors": {"organization": [_("Choose who you record for.")]}}, 422)
    device_id = data.get("device")
    try:
        count = int(data.get("count", services.BATCH_SIZE))
        issued = services.references_reserve(
            user=request.user, device_id=device_id, organization=organization, count=count
        )
    except (TypeError, ValueError, ValidationError) as error:
        messages = error.messages if isinstance(error, ValidationError) else [_("Give a number of references.")]
        return _json({"errors": {"__all__": messages}}, 422)
    except PermissionDenied as error:
        return _json({"errors": {"__all__": [str(error)]}}, 403)
    request.session[services.SESSION_FLAG] = services.device_digest(device_id)
    return _json(
        {
            "organization": {"id": organization.pk, "name": organization.name},
            "references": [
                {"reference": r.reference, "pin": r.pin, "expiresAt": r.expires_at.isoformat()} for r in issued
            ],
            "user": _user_tag(request.user),
        },
        201,
    )


def _language(code: str) -> str:
    """The language the page was shown in (the case is answered in it), if the portal offers it."""
    return code if code in dict(settings.LANGUAGES) else get_language()


@_signed_in_json
@require_POST
def sync(request):
    """Lodge one draft under its reserved reference: 201 created, 200 already, 4xx refused with reasons."""
    reference = request.POST.get("reference", "")[:20]
    recorded_at = parse_datetime(request.POST.get("recorded_at", "") or "")
    if recorded_at is not None and timezone.is_naive(recorded_at):
        recorded_at = None
    form = DraftForm(request.POST, request.FILES, user=request.user)
    result = services.draft_sync(
        user=request.user,
        device_id=request.POST.get("device", ""),
        reference=reference,
        recorded_at=recorded_at,
        form=form,
        language=_language(request.POST.get("language", "")),
    )
    return _json(result.as_json(), result.http_status)
