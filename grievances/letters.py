"""Case outcome letters: the decision on paper, signed by the portal, verifiable by anyone.

A letter is what a complainant shows a social worker or a union files, so it
carries only what the complainant's own case page shows: the public timeline
(never an internal note), the decision, its reasons and remedy, and how and
by when to appeal. It names the complainant only when they lodged under their
own name with standard confidentiality; a confidential, anonymous or withheld
identity never reaches the PDF, whoever prints it.

The foot of the letter carries a verification code: an HMAC (keyed with the
site's secret) over the letter's content, reference and date of issue.
Nobody without the key can make a code that the verification page accepts,
and the page, given a code, says only what the letter itself says.

Letters render on request and are stored (``OutcomeLetter``) under a key of
the public timeline's state; until a public event is added (or the decision
changes), every request is served the stored bytes without re-rendering.
"""

from __future__ import annotations

import hashlib
import json
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from grievances.models import CaseEvent, Grievance, OutcomeLetter
from grievances.workflow import Status
from portal.lib.pdf import html_to_pdf

TEMPLATE = "grievances/pdf/outcome_letter.html"
HMAC_SALT = "suara.grievances.outcome-letter"
# Bump when the template changes what a letter says: letters issued from then on are rendered anew.
LETTER_FORMAT = 1
CODE_LENGTH = 64


# A reopened case keeps its old decision on the row while it is looked at again: no letter then.
DECIDED_STATES = frozenset({Status.RESOLVED, Status.REJECTED, Status.APPEALED, Status.CLOSED})


def has_outcome(grievance: Grievance) -> bool:
    """A letter exists while a decision stands (resolved, rejected as out of scope, appealed, closed after it)."""
    return bool(grievance.decision) and grievance.status in DECIDED_STATES


def letter_language(grievance: Grievance) -> str:
    """The case's language: the one it was lodged in, or the one the complainant chose since.

    Not the account's interface preference (it defaults to English for
    everyone who never set it), nor the language of whoever asks for the
    letter: an officer reading in English prints the Thai complainant's letter in Thai.
    """
    offered = {code for code, _name in settings.LANGUAGES}
    for code in (grievance.language, (grievance.language or "").split("-")[0]):
        if code in offered:
            return code
    return settings.LANGUAGE_CODE


def _addressee(grievance: Grievance) -> str:
    """The complainant's name, only when they let the agency know who they are and nobody withheld it."""
    if (
        grievance.anonymous
        or grievance.confidentiality != Grievance.Confidentiality.STANDARD
        or grievance.member_identity_withheld
    ):
        return ""
    if grievance.lodged_by_organization_id:
        return grievance.member_name
    if grievance.contact_name:
        return grievance.contact_name
    return grievance.complainant.get_full_name() if grievance.complainant_id else ""


def state_key(grievance: Grievance, language: str) -> str:
    """What a stored letter depends on: the public timeline (append-only, so its length and last id), and the decision.

    One aggregate query; the rest is on the case row already loaded. The
    key starts with the last public event's id, in clear: that is where the
    timeline stood when the letter was issued (see :func:`as_issued`).
    """
    timeline = CaseEvent.objects.filter(grievance=grievance, public=True).aggregate(n=Count("pk"), last=Max("pk"))
    parts = [
        LETTER_FORMAT,
        grievance.pk,
        timeline["n"],
        timeline["last"],
        grievance.status,
        grievance.decision,
        grievance.decision_reasons,
        grievance.remedy,
        grievance.appeal_due,
        grievance.agency_id,
        grievance.category_id,
        language,
    ]
    digest = hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()
    return f"{timeline['last'] or 0}.{digest}"[:64]


def normalize_code(text: str) -> str | None:
    """A code as typed (spaces, dashes, capitals) → its canonical 64 hex digits, or None."""
    digits = re.sub(r"[^0-9a-f]", "", (text or "").lower())
    return digits if len(digits) == CODE_LENGTH else None


def grouped_code(code: str) -> str:
    """The code in groups of eight, as printed: easier to read aloud and to type."""
    return " ".join(code[i : i + 8] for i in range(0, len(code), 8))


def verification_url() -> str:
    return f"{(settings.SITE_URL or '').rstrip('/')}/grievances/verify/"


def _facts(grievance: Grievance, events: list[CaseEvent], issued_at, language: str) -> dict:
    """Everything the letter states, in a stable order: what the code signs."""
    return {
        "reference": grievance.reference,
        "issued_at": issued_at.isoformat(),
        "language": language,
        "agency": grievance.agency.localized_name,
        "category": str(grievance.category),
        "lodged_at": grievance.lodged_at.isoformat(),
        "addressee": _addressee(grievance),
        "description": grievance.description,
        "events": [[e.pk, e.kind, e.created_at.isoformat(), e.actor_label, e.by_complainant, e.body] for e in events],
        "status": grievance.status,
        "decision": grievance.decision,
        "reasons": grievance.decision_reasons,
        "remedy": grievance.remedy,
        "appeal_due": grievance.appeal_due.isoformat() if grievance.appeal_due else "",
    }


def sign(facts: dict) -> str:
    payload = json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return salted_hmac(HMAC_SALT, payload, algorithm="sha256").hexdigest()


def letter_html(grievance: Grievance, *, issued_at=None, language: str | None = None) -> tuple[str, str]:
    """The letter's HTML and its verification code, built from the public timeline only."""
    language = language or letter_language(grievance)
    issued_at = issued_at or timezone.now()
    # Public events only, filtered in the database: an internal note never enters this function's memory.
    events = list(CaseEvent.objects.filter(grievance=grievance, public=True).order_by("created_at", "id"))
    with translation.override(language):
        # Inside the override: the category and agency are named in the letter's language, whoever asks.
        code = sign(_facts(grievance, events, issued_at, language))
        context = {
            "grievance": grievance,
            "lang": language,
            "title": translation.gettext("Outcome of grievance %(reference)s") % {"reference": grievance.reference},
            "events": events,
            "addressee": _addressee(grievance),
            "issued_at": timezone.localtime(issued_at),
            "code": grouped_code(code),
            "verification_url": verification_url(),
            "appeal_open": grievance.appeal_window_open,
            "case_url": f"{(settings.SITE_URL or '').rstrip('/')}{grievance.get_absolute_url()}",
        }
        html = render_to_string(TEMPLATE, context)
    return html, code


def letter_render(grievance: Grievance, *, issued_at=None, language: str | None = None) -> tuple[bytes, str]:
    """The letter as PDF bytes, and its verification code (not stored: see :func:`outcome_letter_for`)."""
    html, code = letter_html(grievance, issued_at=issued_at, language=language)
    return html_to_pdf(html), code


def outcome_letter_for(grievance: Grievance) -> OutcomeLetter | None:
    """The stored letter for the case's present public timeline, issuing it first when there is none.

    None when the case has no decision yet. Callers have already passed the
    read gate (the complainant's, or ``visible_to`` for staff).
    """
    if not has_outcome(grievance):
        return None
    language = letter_language(grievance)
    key = state_key(grievance, language)
    stored = OutcomeLetter.objects.filter(grievance=grievance, state_key=key).first()
    if stored is not None:
        return stored
    issued_at = timezone.now()
    pdf, code = letter_render(grievance, issued_at=issued_at, language=language)
    try:
        with transaction.atomic():
            return OutcomeLetter.objects.create(
                grievance=grievance,
                state_key=key,
                language=language,
                code=code,
                issued_at=issued_at,
                pdf=pdf,
                pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            )
    except IntegrityError:
        # Two requests rendered the same state at once: the first one stored wins, for both.
        return OutcomeLetter.objects.get(grievance=grievance, state_key=key)


def letter_verify(text: str) -> OutcomeLetter | None:
    """The letter issued with this code, or None (a changed digit finds nothing)."""
    code = normalize_code(text)
    if code is None:
        return None
    return OutcomeLetter.objects.select_related("grievance__agency").filter(code=code).first()


def as_issued(letter: OutcomeLetter) -> dict:
    """What the verification page confirms: the reference, issuer, date of issue and decision *as printed*.

    Read from the append-only timeline as it stood when the letter was
    issued (the last decision event up to then, by id: clocks may disagree,
    ids only grow), not from the case row: a case reopened and decided again
    must not make an older, genuine letter look altered.
    """
    grievance = letter.grievance
    last_event_id = int(letter.state_key.split(".", 1)[0] or 0)
    event = (
        CaseEvent.objects.filter(grievance=grievance, kind=CaseEvent.Kind.RESOLVED, public=True, pk__lte=last_event_id)
        .order_by("-id")
        .first()
    )
    decision = (event.payload or {}).get("decision") if event is not None else grievance.decision
    return {
        "reference": grievance.reference,
        "issuer": event.actor_label if event is not None and event.actor_label else grievance.agency.localized_name,
        "issued_at": letter.issued_at,
        "decision": Grievance.Decision(decision).label if decision in Grievance.Decision.values else "",
        "file_hash": grouped_code(letter.pdf_sha256),
    }


def letter_response(letter: OutcomeLetter, grievance: Grievance) -> HttpResponse:
    """The stored bytes as a PDF; the views around it send ``no-store`` (it is someone's case)."""
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="outcome-{grievance.reference}.pdf"'
    response["Content-Length"] = str(len(letter.pdf))
    return response
