"""Deciding what a file is from its first bytes, and wording the refusal when it is none of ours.

The name and the browser's Content-Type come from the person uploading and
say nothing reliable; the first bytes decide which checker (PDF or image)
sees the file. Files people often try to attach instead get a refusal that
says what to do with them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .policy import MESSAGES

# Files people often try to attach, recognised by their first bytes, with what
# to do instead. Only used to word the refusal; they are refused regardless.
_REFUSED_KIND_HINTS: tuple[tuple[tuple[bytes, ...], Any], ...] = (
    (
        (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
        _("If it is a Word, Excel or other office document, save it as PDF first."),
    ),
    (
        (b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*"),
        _("If it is a picture, save it as JPEG or PNG first."),
    ),
)
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"mif1", b"msf1", b"avif", b"avis"})
_HEIF_HINT = _("If it is a photo from a phone (HEIC), share or save it as JPEG first.")


def sniff_content_type(data: bytes) -> str | None:
    """The accepted type these bytes begin with, or None.

    Signatures must sit at offset 0. PDF readers tolerate junk before
    ``%PDF-``, but accepting it would let an HTML page or an archive pass as a
    PDF (a polyglot), so we do not.
    """
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def unsupported(name: str, data: bytes) -> ValidationError:
    """The refusal for a file of a type we do not take, with advice when we recognise what it is."""
    params = {"name": name}
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        hint = _HEIF_HINT
    else:
        hint = next((text for prefixes, text in _REFUSED_KIND_HINTS if data.startswith(prefixes)), None)
    if hint is None:
        return ValidationError(MESSAGES["unsupported_type"], code="unsupported_type", params=params)
    return ValidationError(MESSAGES["unsupported_type_hint"], code="unsupported_type", params={**params, "hint": hint})
