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

from .cleaning import clean_upload, clean_uploads
from .fields import AttachmentsField, AttachmentsInput
from .images import JPEG_QUALITY, WEBP_QUALITY, reencode_image
from .names import (
    DISPLAY_NAME_MAX_LENGTH,
    FALLBACK_DISPLAY_NAME,
    attachment_content_disposition,
    sanitise_display_name,
)
from .pdf import check_pdf
from .policy import (
    ACCEPT,
    ALLOWED_TYPES,
    ATTACHMENTS_HELP_TEXT,
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_IMAGE_PIXELS,
    MESSAGES,
    CleanUpload,
)
from .sniff import sniff_content_type
from .storage import (
    PRIVATE_FILE_CSP,
    PrivateMediaStorage,
    delete_private,
    get_private_storage,
    open_private,
    private_file_response,
    private_storage,
    reseal_private,
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
    "delete_private",
    "get_private_storage",
    "open_private",
    "private_file_response",
    "private_storage",
    "reencode_image",
    "reseal_private",
    "sanitise_display_name",
    "save_private",
    "sniff_content_type",
]
