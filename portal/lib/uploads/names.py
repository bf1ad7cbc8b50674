"""Display names for files whose names came from the public, and the header that sends them back.

A file name is text chosen by whoever uploaded the file: it can carry a path,
a bidi override (U+202E) that makes an "invoice…fdp.exe" read as "invoiceexe.pdf",
invisible characters, or an extension that lies about the content. The name
is kept only for display and ``Content-Disposition``; storage names never
derive from it.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from .policy import ALLOWED_TYPES

DISPLAY_NAME_MAX_LENGTH = 120
FALLBACK_DISPLAY_NAME = "attachment"

# Extensions people's devices give each type; a display name keeps its own
# when it is one of these, so "IMG_0042.JPEG" is not renamed.
_EXTENSION_ALIASES = {
    "application/pdf": frozenset({".pdf"}),
    "image/jpeg": frozenset({".jpg", ".jpeg", ".jpe", ".jfif"}),
    "image/png": frozenset({".png"}),
    "image/webp": frozenset({".webp"}),
}
_ALL_ALIASES = frozenset().union(*_EXTENSION_ALIASES.values())

# Zero-width (non-)joiners are format characters that many Asian scripts need
# to spell words correctly; they cannot reorder text, so they stay.
_KEPT_FORMAT_CHARACTERS = frozenset({"\u200c", "\u200d"})
# Control, format (bidi overrides such as U+202E, zero-width spaces, BOM),
# surrogate, private-use and unassigned characters, and line/paragraph
# separators: none belongs in a file name, several can disguise one.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def _split_suffix(name: str) -> tuple[str, str]:
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or len(suffix) > 15 or " " in suffix:
        return name, ""
    return stem, "." + suffix


def _fit(stem: str, suffix: str) -> str:
    stem = stem[: DISPLAY_NAME_MAX_LENGTH - len(suffix)].rstrip(" .\u200c\u200d")
    return (stem or FALLBACK_DISPLAY_NAME) + suffix


def sanitise_display_name(name: str) -> str:
    """The name to show people for a file whose name came from the public.

    Keeps only the last path component (``/`` or ``\\``), drops control,
    bidi-override and other invisible characters, collapses whitespace, trims
    dots and spaces at the ends and limits the length, keeping the extension.
    The result is for display and ``Content-Disposition`` only; storage names
    never derive from it.
    """
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    characters = []
    for character in name:
        category = unicodedata.category(character)
        if category in _DROPPED_CATEGORIES and character not in _KEPT_FORMAT_CHARACTERS:
            continue
        characters.append(" " if category == "Zs" else character)
    name = re.sub(r" {2,}", " ", "".join(characters)).strip(" .")
    if not name:
        return FALLBACK_DISPLAY_NAME
    return _fit(*_split_suffix(name))


def display_name_for(name: str, content_type: str) -> str:
    """Make the display name's extension agree with the content actually stored.

    A downloaded file then opens in the right program, and a JPEG called
    "invoice.exe" cannot be saved to someone's disk under that name.
    """
    stem, suffix = _split_suffix(name)
    if suffix.lower() in _EXTENSION_ALIASES[content_type]:
        return name
    if suffix.lower() in _ALL_ALIASES:
        name = stem
    return _fit(name, ALLOWED_TYPES[content_type])


def _ascii_filename(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r'[^\x20-\x7e]|["\\]', "_", text)


def attachment_content_disposition(display_name: str) -> str:
    """``attachment`` with an ASCII ``filename`` and, for other names, RFC 6266 ``filename*``.

    Old clients read the ASCII fallback ("Résumé.pdf" becomes "Resume.pdf",
    a Thai name becomes "attachment.pdf"); current browsers use ``filename*``.
    """
    name = sanitise_display_name(display_name)
    stem, suffix = _split_suffix(name)
    ascii_stem = _ascii_filename(stem)
    if not ascii_stem.strip(" ._"):
        ascii_stem = FALLBACK_DISPLAY_NAME
    ascii_name = ascii_stem + _ascii_filename(suffix)
    header = f'attachment; filename="{ascii_name}"'
    if ascii_name != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header
