"""Keeping accepted files where no URL reaches them, and serving them back as downloads.

Attachments are evidence in grievances: they must never be reachable by a
guessable URL, nor rendered by a browser in the portal's origin. They are kept
under ``settings.PRIVATE_MEDIA_ROOT`` with a random name, and only ever leave
through :func:`private_file_response`, called by a view that has already
decided, with the owning case's read gate, that the person may read them.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse
from django.utils import timezone

from portal.lib import datakeys

from .names import attachment_content_disposition
from .policy import ALLOWED_TYPES, CleanUpload

# Even if a browser ignored "attachment", the document would run with no
# origin, no scripts and nothing it may load.
PRIVATE_FILE_CSP = "sandbox; default-src 'none'"


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
    # Sealed at rest with the data keys: a copy of the folder alone shows nothing.
    return private_storage.save(name, ContentFile(datakeys.seal_bytes(upload.content)))


def open_private(name: str) -> File:
    """A stored private file's clear bytes, opened for reading. Names that leave the private root are refused.

    Files stored before sealing began are returned as they are.
    """
    with private_storage.open(name, "rb") as stored:
        data = stored.read()
    return ContentFile(datakeys.open_bytes(data), name=name)


def reseal_private(name: str) -> bool:
    """Seal a stored file under the current data key (key rotation); False when it already was."""
    with private_storage.open(name, "rb") as stored:
        data = stored.read()
    if datakeys.bytes_key_id(data) == datakeys.keyring().current_id:
        return False
    sealed = datakeys.seal_bytes(datakeys.open_bytes(data))
    path = Path(private_storage.path(name))
    # Written beside it and renamed over it: a reader sees the old file or the new one, never half.
    partial = path.with_name(path.name + ".resealing")
    partial.write_bytes(sealed)
    partial.chmod(0o600)
    partial.replace(path)
    return True


def delete_private(name: str) -> None:
    """Remove a stored private file (anonymisation); a file already gone is not an error."""
    private_storage.delete(name)


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
