"""Complainant access: ownership, or a capability earned with reference + PIN.

The capability lives in the server-side session, signed and expiring, or,
for the browser that lodged the case, in its sealed lodging receipt
(``grievances.receipts``); both are bound to the case's PIN hash: issuing a
new PIN ends every capability earned with the old one. Without access the case answers 404, never 403, so
that nobody learns a reference exists.
"""

from __future__ import annotations

from django.core import signing
from django.http import Http404

from grievances import receipts
from grievances.models import Grievance
from grievances.references import normalize_reference

SESSION_KEY = "suara_grievance_access"
SALT = "suara.grievance-access"
MAX_AGE_SECONDS = 2 * 60 * 60


def _fingerprint(grievance: Grievance) -> str:
    return receipts.fingerprint(grievance.pin_hash)


def grant(request, grievance: Grievance) -> None:
    tokens = dict(request.session.get(SESSION_KEY, {}))
    tokens[grievance.reference] = signing.dumps({"r": grievance.reference, "p": _fingerprint(grievance)}, salt=SALT)
    # A new privilege for this browser: rotate an existing session key, as a
    # sign-in does, so a planted session id cannot inherit it.
    if request.session.session_key:
        request.session.cycle_key()
    request.session[SESSION_KEY] = tokens


def has_capability(request, grievance: Grievance) -> bool:
    if receipts.grants(request, reference=grievance.reference, pin_hash=grievance.pin_hash):
        return True
    token = request.session.get(SESSION_KEY, {}).get(grievance.reference)
    if not token:
        return False
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return False
    return data.get("r") == grievance.reference and data.get("p") == _fingerprint(grievance)


def is_owner(user, grievance: Grievance) -> bool:
    return bool(
        user.is_authenticated and user.is_active and user.pk in (grievance.complainant_id, grievance.lodged_by_id)
    )


def can_view(request, grievance: Grievance) -> bool:
    return is_owner(request.user, grievance) or has_capability(request, grievance)


def grievance_for_complainant(request, reference: str) -> Grievance:
    """The case at ``reference`` if this browser may see it as its complainant; else 404."""
    canonical = normalize_reference(reference)
    if canonical is None:
        raise Http404
    grievance = (
        Grievance.objects.select_related("category__parent", "agency", "programme", "region", "lodged_by_organization")
        .filter(reference=canonical)
        .first()
    )
    if grievance is None or not can_view(request, grievance):
        raise Http404
    return grievance
