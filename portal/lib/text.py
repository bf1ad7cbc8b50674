"""Text that people typed, made fit to keep.

Every channel (forms, services, the API) cleans free text the same way:
NUL bytes dropped (PostgreSQL cannot store them and nobody means them), the
ends trimmed, and a text over its limit refused with a sentence that says
the limit, never cut silently.

Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) are
dropped too: one unclosed U+202E makes "0001" print as "1000" on an official
letter. The direction marks (U+200E, U+200F, U+061C) stay, because Arabic and
Hebrew writers need them between numbers and punctuation; they only affect
their neighbours, and every page and PDF shows people's text in an element
that isolates its direction (``<bdi>`` or ``dir="auto"``), so a mark cannot
reach the words around it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\x00"))


def clean_text(text: str | None, *, limit: int | None = None, field: str | None = None, strip: bool = True) -> str:
    """``text`` without NUL bytes or bidi controls (and trimmed); ValidationError (on ``field``) when over ``limit``."""
    text = (text or "").translate(_BIDI_CONTROLS)
    if strip:
        text = text.strip()
    if limit is not None and len(text) > limit:
        message = _("Please keep this to %(limit)s characters; it has %(count)s.") % {
            "limit": f"{limit:,}",
            "count": f"{len(text):,}",
        }
        raise ValidationError({field: message} if field else message)
    return text
