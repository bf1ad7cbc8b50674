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

The package is split along those seams: ``policy`` (limits, types, messages),
``sniff`` (type from content), ``pdf``, ``images``, ``names`` (display names,
Content-Disposition), ``storage`` (private storage and serving) and ``fields``.
Import from the package itself: ``from portal.lib.uploads import X``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError

from .fields import AttachmentsField, AttachmentsInput
from .images import JPEG_QUALITY, WEBP_QUALITY, reencode_image
from .names import (
    DISPLAY_NAME_MAX_LENGTH,
    FALLBACK_DISPLAY_NAME,
    attachment_content_disposition,
    display_name_for,
    sanitise_display_name,
)
from .pdf import _PDF_INFLATE_BUDGET, check_pdf
from .policy import (
    ACCEPT,
    ALLOWED_TYPES,
    ATTACHMENTS_HELP_TEXT,
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_IMAGE_PIXELS,
    MEGABYTE,
    MESSAGES,
    CleanUpload,
    megabytes,
)
from .sniff import sniff_content_type, unsupported
from .storage import (
    PRIVATE_FILE_CSP,
    PrivateMediaStorage,
    get_private_storage,
    open_private,
    private_file_response,
    private_storage,
    save_private,
)

__all__ = [
    "ACCEPT",
    "ALLOWED_TYPES",
    "ATTACHMENTS_HELP_TEXT",
    "DISPLAY_NAME_MAX_LENGTH",
    "FALLBACK_DISPLAY_NAME",
    "JPEG_QUALITY",
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "MAX_IMAGE_PIXELS",
    "MESSAGES",
    "PRIVATE_FILE_CSP",
    "WEBP_QUALITY",
    "AttachmentsField",
    "AttachmentsInput",
    "CleanUpload",
    "PrivateMediaStorage",
    "attachment_content_disposition",
    "check_pdf",
    "clean_upload",
    "clean_uploads",
    "get_private_storage",
    "open_private",
    "private_file_response",
    "private_storage",
    "reencode_image",
    "sanitise_display_name",
    "save_private",
    "sniff_content_type",
]


# clean_upload and clean_uploads stay here, in the package itself, and look up
# each other and _PDF_INFLATE_BUDGET here: this is the front door the rest of
# the portal (and tests patching ``uploads.X``) go through.


def _too_large(name: str, size: int) -> ValidationError:
    return ValidationError(
        MESSAGES["too_large"],
        code="too_large",
        params={"name": name, "limit": megabytes(MAX_FILE_BYTES), "size": megabytes(size)},
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
        size = len(data) + sum(len(chunk) for chunk in iter(lambda: uploaded_file.read(MEGABYTE), b""))
        raise _too_large(name, size)
    return data


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
        raise unsupported(name, data)
    if content_type == "application/pdf":
        check_pdf(data, name=name, inflate_budget=_PDF_INFLATE_BUDGET)
        content = data
    else:
        content = reencode_image(data, content_type, name=name)
    return CleanUpload(
        content=content,
        content_type=content_type,
        extension=ALLOWED_TYPES[content_type],
        display_name=display_name_for(name, content_type),
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
