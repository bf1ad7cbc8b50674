"""Text that people typed, made fit to keep.

Every channel (forms, services, the API) cleans free text the same way:
NUL bytes dropped (PostgreSQL cannot store them and nobody means them), the
ends trimmed, and a text over its limit refused with a sentence that says
the limit, never cut silently.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def clean_text(text: str | None, *, limit: int | None = None, field: str | None = None, strip: bool = True) -> str:
    """``text`` without NUL bytes (and trimmed); ValidationError (on ``field``) when longer than ``limit``."""
    text = (text or "").replace("\x00", "")
    if strip:
        text = text.strip()
    if limit is not None and len(text) > limit:
        message = _("Please keep this to %(limit)s characters; it has %(count)s.") % {
            "limit": f"{limit:,}",
            "count": f"{len(text):,}",
        }
        raise ValidationError({field: message} if field else message)
    return text
