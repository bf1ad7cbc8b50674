"""The one place Suara accepts files from the public.

Grievance and consultation attachments come from anyone, and are later
opened by case officers on agency machines. So every file goes through
:func:`clean_upload` before it is kept:

1. size: refused above :data:`MAX_FILE_BYTES`, before it is read;
2. type: decided by the first bytes of the content — never by the name or the
   browser's Content-Type — and only PDF, JPEG, PNG and WebP are accepted;
3. PDFs: must be whole (``%PDF-`` header, ``%%EOF`` trailer), unencrypted and
   free of script and launch actions; otherwise stored byte for byte;
4. images: decoded under a pixel limit, turned upright, and re-encoded in the
   same format, which drops EXIF (GPS), XMP, comments and text chunks;
5. the original name survives only as a sanitised display name.

What comes out is a :class:`CleanUpload`. :func:`save_private` keeps it under
``settings.PRIVATE_MEDIA_ROOT`` with a random name and no URL, and
:func:`private_file_response` serves it back as a download that a browser will
not render, sniff or cache. Who may read a file is the calling view's
decision, made with the case's read gate before calling it.

Forms use :class:`AttachmentsField`, which returns ``list[CleanUpload]``.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import os
import re
import unicodedata
import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.forms.widgets import FILE_INPUT_CONTRADICTION
from django.http import FileResponse
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy
from PIL import Image, ImageOps

logger = logging.getLogger(__name__)

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
# Pillow's own guard (about 89 megapixels, an error only at twice that) is
# global and shared with Wagtail's images. Ours is per upload and lower:
# 50 megapixels still takes a full-resolution photo from a 50 MP phone camera,
# while the decoded pixels (up to 200 MB for RGBA) stay affordable in a web worker.
MAX_IMAGE_PIXELS = 50_000_000
ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
}
ACCEPT = ",".join(ALLOWED_TYPES)
JPEG_QUALITY = 85
WEBP_QUALITY = 85
DISPLAY_NAME_MAX_LENGTH = 120
FALLBACK_DISPLAY_NAME = "attachment"

_MEGABYTE = 1024 * 1024
_PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
# Extensions people's devices give each type; a display name keeps its own
# when it is one of these, so "IMG_0042.JPEG" is not renamed.
_EXTENSION_ALIASES = {
    "application/pdf": frozenset({".pdf"}),
    "image/jpeg": frozenset({".jpg", ".jpeg", ".jpe", ".jfif"}),
    "image/png": frozenset({".png"}),
    "image/webp": frozenset({".webp"}),
}
_ALL_ALIASES = frozenset().union(*_EXTENSION_ALIASES.values())


@dataclass(frozen=True)
class CleanUpload:
    """An accepted file, ready to store: checked, re-encoded where needed, and renamed for display."""

    # Kept out of repr: a traceback or log line must not carry 10 MB of somebody's scan.
    content: bytes = field(repr=False)
    content_type: str
    extension: str
    display_name: str
    size: int
    sha256: str


# --- messages -------------------------------------------------------------------

MESSAGES = {
    "too_many": ngettext_lazy(
        "You can attach at most %(limit)d file.",
        "You can attach at most %(limit)d files.",
        "limit",
    ),
    "too_large": _("Each file can be at most %(limit)s MB; '%(name)s' is %(size)s MB."),
    "empty": _("'%(name)s' is empty. Please choose the file again."),
    "unsupported_type": _(
        "'%(name)s' cannot be attached: it is not a PDF, JPEG, PNG or WebP file, whatever its name says. "
        "Only those are accepted."
    ),
    "unsupported_type_hint": _(
        "'%(name)s' cannot be attached: it is not a PDF, JPEG, PNG or WebP file, whatever its name says. "
        "Only those are accepted. %(hint)s"
    ),
    "pdf_incomplete": _(
        "'%(name)s' is not a complete PDF file. It may not have finished downloading or saving; please try again."
    ),
    "pdf_encrypted": _("'%(name)s' is protected with a password or encryption. Please attach a copy without it."),
    "pdf_active_content": _(
        "'%(name)s' contains scripts or actions that run when it is opened, so it cannot be accepted. "
        "Printing it to a new PDF usually removes them."
    ),
    "pdf_unchecked": _(
        "'%(name)s' could not be checked for scripts, so it cannot be accepted. "
        "Printing it to a new PDF usually makes it acceptable."
    ),
    "image_too_many_pixels": _(
        "'%(name)s' is too large a picture (%(width)s × %(height)s pixels); "
        "pictures can be at most %(limit)s megapixels. Please attach a smaller copy."
    ),
    "image_bomb": _("'%(name)s' declares a picture far larger than %(limit)s megapixels, so it cannot be accepted."),
    "image_unreadable": _(
        "'%(name)s' looks like a %(kind)s picture but could not be read. It may be damaged; please try saving it again."
    ),
}

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


def _megabytes(size: int) -> str:
    """A size in MB with at most one decimal, rounded up so an oversize file never reads as the limit."""
    tenths = math.ceil(round(size * 10 / _MEGABYTE, 6))
    return floatformat(tenths / 10, -1)


def _attachments_help_text() -> str:
    return ngettext(
        "You can attach %(count)d file (PDF, JPEG, PNG or WebP) of at most %(limit)s MB. "
        "Photos are kept without their location and camera details.",
        "You can attach up to %(count)d files (PDF, JPEG, PNG or WebP), each at most %(limit)s MB. "
        "Photos are kept without their location and camera details.",
        MAX_FILES,
    ) % {"count": MAX_FILES, "limit": _megabytes(MAX_FILE_BYTES)}


# Lazy so it is translated into the reader's language when the form renders,
# not into whichever language was active when the module was imported.
ATTACHMENTS_HELP_TEXT = lazy(_attachments_help_text, str)()


# --- display names -----------------------------------------------------------

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


def _display_name_for(name: str, content_type: str) -> str:
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


# --- checking one file ---------------------------------------------------------


def _too_large(name: str, size: int) -> ValidationError:
    return ValidationError(
        MESSAGES["too_large"],
        code="too_large",
        params={"name": name, "limit": _megabytes(MAX_FILE_BYTES), "size": _megabytes(size)},
    )


def _read_limited(uploaded_file: Any, name: str) -> bytes:
    """Read at most MAX_FILE_BYTES, refusing bigger files (by their declared size first, when known)."""
    declared = getattr(uploaded_file, "size", None)
    if isinstance(declared, int) and declared > MAX_FILE_BYTES:
        raise _too_large(name, declared)
    try:
        # Another validator may already have read it.
        uploaded_file.seek(0)
    except (AttributeError, OSError):
        pass
    data = uploaded_file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        # No trustworthy declared size: count the rest without keeping it.
        size = len(data) + sum(len(chunk) for chunk in iter(lambda: uploaded_file.read(_MEGABYTE), b""))
        raise _too_large(name, size)
    return data


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


def _unsupported(name: str, data: bytes) -> ValidationError:
    params = {"name": name}
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        hint = _HEIF_HINT
    else:
        hint = next((text for prefixes, text in _REFUSED_KIND_HINTS if data.startswith(prefixes)), None)
    if hint is None:
        return ValidationError(MESSAGES["unsupported_type"], code="unsupported_type", params=params)
    return ValidationError(MESSAGES["unsupported_type_hint"], code="unsupported_type", params={**params, "hint": hint})


def clean_upload(uploaded_file: Any) -> CleanUpload:
    """Check one uploaded file and return what may be stored, or raise ValidationError.

    ``uploaded_file`` is a Django ``UploadedFile`` or any binary file object
    with a ``name``. Error messages name the file by its sanitised name.
    """
    name = sanitise_display_name(getattr(uploaded_file, "name", "") or "")
    data = _read_limited(uploaded_file, name)
    if not data:
        raise ValidationError(MESSAGES["empty"], code="empty", params={"name": name})
    content_type = sniff_content_type(data)
    if content_type is None:
        raise _unsupported(name, data)
    if content_type == "application/pdf":
        check_pdf(data, name=name)
        content = data
    else:
        content = reencode_image(data, content_type, name=name)
    return CleanUpload(
        content=content,
        content_type=content_type,
        extension=ALLOWED_TYPES[content_type],
        display_name=_display_name_for(name, content_type),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def clean_uploads(files: Sequence[Any]) -> list[CleanUpload]:
    """Check the files of one message: at most MAX_FILES, then each file, reporting every refusal at once."""
    files = [uploaded_file for uploaded_file in files if uploaded_file is not None]
    if len(files) > MAX_FILES:
        # Refused before any is decoded: a long list of files is work nobody asked us to do.
        raise ValidationError(MESSAGES["too_many"], code="too_many", params={"limit": MAX_FILES})
    cleaned: list[CleanUpload] = []
    errors: list[ValidationError] = []
    for uploaded_file in files:
        try:
            cleaned.append(clean_upload(uploaded_file))
        except ValidationError as error:
            errors.extend(error.error_list)
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- PDFs ------------------------------------------------------------------------

# Adobe's readers look for %%EOF in the last 1024 bytes; so do we.
_PDF_TRAILER_WINDOW = 1024
# Why refuse these rather than store them: PDFs are kept byte for byte (there
# is no PDF rewriter at run time) and opened by case officers in desktop
# readers. JavaScript and Launch actions are how a PDF runs code, opens other
# programs or phishes the reader; letters, receipts and scans never need them.
# Every script sits under a /JavaScript name (the action's /S, or the
# document's name tree), so /JS is not looked for on its own: three bytes
# turn up by chance in a few percent of large compressed files.
_PDF_ACTIVE_NAMES = frozenset({b"JavaScript", b"Launch"})
# A PDF name: "/" then regular characters; "#xx" escapes are decoded, because
# "/J#61vaScript" is /JavaScript to every reader.
_PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]+)")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM_START = re.compile(rb"\bstream(?:\r\n|\n|\r)")
_PDF_DICTIONARY_WINDOW = 4096
_PDF_FLATE = frozenset({b"FlateDecode", b"Fl"})
# Object streams are small dictionaries packed together; all of a genuine
# 10 MB PDF's inflate to far less than this. It bounds a zip bomb.
_PDF_INFLATE_BUDGET = 64 * _MEGABYTE


def _pdf_names(data: bytes | memoryview) -> set[bytes]:
    return {
        _PDF_NAME_ESCAPE.sub(lambda escape: bytes([int(escape.group(1), 16)]), match.group(1))
        for match in _PDF_NAME.finditer(data)
    }


def _pdf_object_stream_names(data: bytes, name: str) -> set[bytes]:
    """The names inside the PDF's compressed object streams.

    Since PDF 1.5, dictionaries — actions included — may be packed into
    Flate-compressed object streams, invisible to a scan of the raw bytes.
    This is a screen, not a parser: it inflates each object stream within a
    budget, and refuses any it cannot read rather than let it through unseen.
    """
    unchecked = ValidationError(MESSAGES["pdf_unchecked"], code="pdf_unchecked", params={"name": name})
    budget = _PDF_INFLATE_BUDGET
    names: set[bytes] = set()
    view = memoryview(data)
    for match in _PDF_STREAM_START.finditer(data):
        window = data[max(0, match.start() - _PDF_DICTIONARY_WINDOW) : match.start()]
        dictionary = window[window.rfind(b"obj") + 3 :] if b"obj" in window else window
        dictionary_names = _pdf_names(dictionary)
        if b"ObjStm" not in dictionary_names:
            continue
        filters = dictionary_names & {
            b"FlateDecode", b"Fl", b"ASCIIHexDecode", b"AHx", b"ASCII85Decode", b"A85",
            b"LZWDecode", b"LZW", b"RunLengthDecode", b"RL", b"Crypt",
        }  # fmt: skip
        if not filters:
            continue  # stored uncompressed: the scan of the raw bytes saw it
        if filters - _PDF_FLATE or dictionary_names & {b"DecodeParms", b"DP"}:
            raise unchecked
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(view[match.end() :], budget + 1)
        except zlib.error:
            raise unchecked from None
        budget -= len(inflated)
        if not inflater.eof or budget < 0:
            raise unchecked
        names |= _pdf_names(inflated)
    return names


def check_pdf(data: bytes, *, name: str) -> None:
    """Refuse a PDF that is truncated, encrypted, or carries script or launch actions."""
    params = {"name": name}
    if b"%%EOF" not in data[-_PDF_TRAILER_WINDOW:]:
        raise ValidationError(MESSAGES["pdf_incomplete"], code="pdf_incomplete", params=params)
    names = _pdf_names(data)
    # Encrypted objects cannot be screened, and officers could not open a
    # file whose password they do not have.
    if b"Encrypt" in names:
        raise ValidationError(MESSAGES["pdf_encrypted"], code="pdf_encrypted", params=params)
    if names & _PDF_ACTIVE_NAMES or _pdf_object_stream_names(data, name) & _PDF_ACTIVE_NAMES:
        raise ValidationError(MESSAGES["pdf_active_content"], code="pdf_active_content", params=params)


# --- images ------------------------------------------------------------------------


def _webp_is_lossless(data: bytes) -> bool:
    """Whether a WebP's first image is lossless ("VP8L"), so screenshots stay sharp when re-encoded."""
    offset = 12
    while offset + 8 <= len(data):
        fourcc = data[offset : offset + 4]
        if fourcc in (b"VP8L", b"VP8 "):
            return fourcc == b"VP8L"
        size = int.from_bytes(data[offset + 4 : offset + 8], "little")
        offset += 8 + size + (size & 1)
    return False


def _is_complete(data: bytes, pillow_format: str) -> bool:
    """Whether the picture's bytes reach its end marker.

    Pillow refuses truncated pictures only while ``ImageFile.LOAD_TRUNCATED_IMAGES``
    is False, and WeasyPrint sets it to True for the whole process on import.
    So completeness is checked here, whatever else the process has imported.
    """
    if pillow_format == "PNG":
        return b"\x00\x00\x00\x00IEND\xaeB`\x82" in data
    if pillow_format == "JPEG":
        # 0xFF in compressed data is always escaped, so the last start-of-scan
        # is the main picture's, and its end-of-image marker must follow.
        start_of_scan = data.rfind(b"\xff\xda")
        return start_of_scan != -1 and data.find(b"\xff\xd9", start_of_scan) != -1
    return len(data) >= 8 + int.from_bytes(data[4:8], "little")  # WebP: the RIFF length


def _pixels_message_params(name: str, width: int, height: int) -> dict[str, Any]:
    return {"name": name, "width": width, "height": height, "limit": MAX_IMAGE_PIXELS // 1_000_000}


def reencode_image(data: bytes, content_type: str, *, name: str) -> bytes:
    """Decode an image and write it again in the same format, upright and without metadata.

    Only the sniffed format's decoder is allowed to run, the pixel count is
    checked from the header before any pixels are decoded, and only the first
    frame of an animation is kept. The ICC colour profile and PNG transparency
    are kept: they describe how the pixels look, not who took them or where.
    """
    pillow_format = _PILLOW_FORMATS[content_type]
    unreadable = ValidationError(
        MESSAGES["image_unreadable"], code="image_unreadable", params={"name": name, "kind": pillow_format}
    )
    try:
        image = Image.open(io.BytesIO(data), formats=[pillow_format])
    except Image.DecompressionBombError:
        raise ValidationError(
            MESSAGES["image_bomb"], code="image_bomb", params={"name": name, "limit": MAX_IMAGE_PIXELS // 1_000_000}
        ) from None
    except Exception:
        # Hostile bytes can make a decoder fail in many ways; each means "not a
        # picture we can safely keep". Logged without the file's name.
        logger.info("Upload refused: %s could not be opened", pillow_format, exc_info=True)
        raise unreadable from None
    with image:
        if not _is_complete(data, pillow_format):
            raise unreadable
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS:
            raise ValidationError(
                MESSAGES["image_too_many_pixels"],
                code="image_too_many_pixels",
                params=_pixels_message_params(name, width, height),
            )
        try:
            image.load()
            upright = _upright(image)
            return _encode(upright, pillow_format, lossless=pillow_format == "WEBP" and _webp_is_lossless(data))
        except Exception:
            logger.info("Upload refused: %s could not be decoded or re-encoded", pillow_format, exc_info=True)
            raise unreadable from None


def _upright(image: Image.Image) -> Image.Image:
    try:
        # In place: a 50-megapixel copy is 150 MB we need not hold twice.
        ImageOps.exif_transpose(image, in_place=True)
    except Exception:
        # A damaged EXIF block should not cost the person their photo;
        # it is only the orientation we lose.
        logger.info("Upload: EXIF orientation unreadable, kept as stored", exc_info=True)
    return image


def _encode(image: Image.Image, pillow_format: str, *, lossless: bool) -> bytes:
    icc_profile = image.info.get("icc_profile")
    transparency = image.info.get("transparency")
    # Some encoders fall back to image.info (JPEG comments, PNG profiles), so
    # empty it and pass on only what we chose to keep.
    image.info = {}
    options: dict[str, Any] = {}
    if pillow_format == "JPEG":
        if image.mode not in ("L", "RGB"):
            # CMYK and friends: browsers show them badly; the old profile no longer fits.
            image, icc_profile = image.convert("RGB"), None
        options.update(quality=JPEG_QUALITY, optimize=True)
    elif pillow_format == "PNG":
        options.update(optimize=True)
        if transparency is not None:
            options["transparency"] = transparency
    else:
        if image.mode not in ("RGB", "RGBA"):
            image, icc_profile = image.convert("RGBA" if "A" in image.getbands() else "RGB"), None
        options.update({"lossless": True} if lossless else {"quality": WEBP_QUALITY})
    if icc_profile:
        options["icc_profile"] = icc_profile
    output = io.BytesIO()
    image.save(output, format=pillow_format, **options)
    return output.getvalue()


# --- storage -----------------------------------------------------------------------


class PrivateMediaStorage(FileSystemStorage):
    """Files under ``settings.PRIVATE_MEDIA_ROOT``, read afresh on every use, with no URL.

    Reading the setting each time (rather than once, as FileSystemStorage
    caches it) lets tests move it with ``override_settings``. ``url()`` raises:
    these files are only ever served by a view that checked permission.
    """

    def __init__(self) -> None:
        # Only the portal's own processes should read grievance evidence.
        super().__init__(file_permissions_mode=0o600, directory_permissions_mode=0o700)

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return os.fspath(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:  # type: ignore[override]
        location = Path(self.base_location).resolve()
        media_root = Path(settings.MEDIA_ROOT).resolve()
        if location == media_root or media_root in location.parents:
            raise ImproperlyConfigured("PRIVATE_MEDIA_ROOT must not be inside MEDIA_ROOT, which is served publicly.")
        return os.fspath(location)

    @property
    def base_url(self) -> None:  # type: ignore[override]
        return None


private_storage = PrivateMediaStorage()


def get_private_storage() -> PrivateMediaStorage:
    """The storage for private attachments (the module's ``private_storage``)."""
    return private_storage


_PREFIX = re.compile(r"[a-z0-9][a-z0-9_-]*(?:/[a-z0-9][a-z0-9_-]*)*")


def save_private(upload: CleanUpload, *, prefix: str) -> str:
    """Store a cleaned upload privately and return its storage name.

    The name is ``<prefix>/<yyyy>/<mm>/<random hex><extension>``: nothing of
    the person's file name, nothing guessable. Keep it with the display name,
    content type, size and hash on the model that owns the attachment.
    """
    if not _PREFIX.fullmatch(prefix):
        raise ValueError(f"prefix must be lowercase path segments of letters, digits, '-' and '_', not {prefix!r}")
    now = timezone.now()
    name = f"{prefix}/{now:%Y}/{now:%m}/{uuid.uuid4().hex}{ALLOWED_TYPES[upload.content_type]}"
    return private_storage.save(name, ContentFile(upload.content))


def open_private(name: str) -> File:
    """Open a stored private file for reading (binary). Names that leave the private root are refused."""
    return private_storage.open(name, "rb")


# --- serving -----------------------------------------------------------------------

# Even if a browser ignored "attachment", the document would run with no
# origin, no scripts and nothing it may load.
PRIVATE_FILE_CSP = "sandbox; default-src 'none'"


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


def private_file_response(name: str, *, display_name: str, content_type: str) -> FileResponse:
    """Serve a stored private file as a download.

    This checks nothing about who is asking. The calling view must first decide,
    through the owning object's read gate (e.g. ``Grievance.objects.visible_to``
    or the complainant's capability), that this person may read this file.

    The response is an attachment (never shown inline), is not sniffed, not
    cached, and sandboxed by its own Content-Security-Policy, which the CSP
    middleware leaves alone because it is already set.
    """
    if content_type not in ALLOWED_TYPES:
        raise ValueError(f"{content_type!r} is not a type Suara stores")
    response = FileResponse(open_private(name), content_type=content_type)
    response["Content-Disposition"] = attachment_content_disposition(display_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = PRIVATE_FILE_CSP
    # Other sites may not embed or fetch it with the visitor's cookies.
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


# --- forms -------------------------------------------------------------------------


class AttachmentsInput(forms.ClearableFileInput):
    """A file input that lets people choose several files, offering only the accepted types."""

    allow_multiple_selected = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"multiple": True, "accept": ACCEPT, **(attrs or {})})


class AttachmentsField(forms.FileField):
    """Up to MAX_FILES attachments; ``cleaned_data`` holds ``list[CleanUpload]`` (empty when none).

    Not required unless asked. Browsers never send files back with a
    re-displayed form, so after any error people must choose their files again;
    the other fields keep what they typed.
    """

    widget = AttachmentsInput

    def __init__(self, *, required: bool = False, help_text: Any = ATTACHMENTS_HELP_TEXT, **kwargs: Any) -> None:
        super().__init__(required=required, help_text=help_text, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[CleanUpload]:
        """The chosen files, checked and cleaned by :func:`clean_uploads`."""
        if data is FILE_INPUT_CONTRADICTION:
            raise ValidationError(self.error_messages["contradiction"], code="contradiction")
        if data is None or data is False or data == "":
            files = []  # nothing chosen (False: "clear", which has nothing to clear here)
        else:
            files = list(data) if isinstance(data, list | tuple) else [data]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        cleaned = clean_uploads(files)
        self.run_validators(cleaned)
        return cleaned

    def has_changed(self, initial: Any, data: Any) -> bool:
        return not self.disabled and bool(data)
