"""What the portal accepts from the public, and the words it uses to refuse the rest.

The limits, the accepted types, the shape of an accepted file
(:class:`CleanUpload`) and every refusal message live together so that the
checks in the sibling modules and the help text shown beside the form cannot
disagree about what is allowed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.template.defaultfilters import floatformat
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

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

MEGABYTE = 1024 * 1024


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


def megabytes(size: int) -> str:
    """A size in MB with at most one decimal, rounded up so an oversize file never reads as the limit."""
    tenths = math.ceil(round(size * 10 / MEGABYTE, 6))
    return floatformat(tenths / 10, -1)


def _attachments_help_text() -> str:
    return ngettext(
        "You can attach %(count)d file (PDF, JPEG, PNG or WebP) of at most %(limit)s MB. "
        "Photos are kept without their location and camera details.",
        "You can attach up to %(count)d files (PDF, JPEG, PNG or WebP), each at most %(limit)s MB. "
        "Photos are kept without their location and camera details.",
        MAX_FILES,
    ) % {"count": MAX_FILES, "limit": megabytes(MAX_FILE_BYTES)}


# Lazy so it is translated into the reader's language when the form renders,
# not into whichever language was active when the module was imported.
ATTACHMENTS_HELP_TEXT = lazy(_attachments_help_text, str)()
