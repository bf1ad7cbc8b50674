"""The one way Suara turns a template into PDF bytes.

``render_pdf(template, context)`` renders a Django template and hands the
HTML to WeasyPrint with :class:`AssetFetcher`, which reads only the project's
static and media files from disk. Everything else a document may name — the
network, ``file://`` paths, redirects, large ``data:`` URLs — is refused and
recorded on the fetcher, so a PDF can never become a way to read the
server's files or to make it call other machines.
"""

from __future__ import annotations

import base64
import binascii
import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# Relative URLs in PDF templates ({% static %}, media URLs) resolve against
# this origin. It is not a real host: the fetcher maps it to files on disk
# and never opens a socket.
ASSET_ORIGIN = "https://assets.suara.invalid"
DATA_URL_MAX_BYTES = 64 * 1024
DATA_URL_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"})
DEFAULT_VARIANT = "pdf/ua-1"


class AssetRefused(ValueError):
    """The document named something the PDF renderer may not read."""


class AssetFetcher(URLFetcher):
    """Serve static and media files from disk; refuse everything else.

    Refused URLs are kept in ``self.refused`` (url, reason) so callers and
    tests can see exactly what a document tried to load.
    """

    def __init__(self) -> None:
        # No redirects, no protocols beyond what ``fetch`` below handles itself.
        super().__init__(timeout=1, allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self.refused: list[tuple[str, str]] = []
        self.served: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        try:
            response = self._resolve(url)
        except AssetRefused as exc:
            self.refused.append((url, str(exc)))
            logger.warning("PDF asset refused: %s (%s)", url[:200], exc)
            raise
        self.served.append(url)
        return response

    def _resolve(self, url: str) -> URLFetcherResponse:
        if url.startswith("data:"):
            return self._data_url(url)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != ASSET_ORIGIN:
            raise AssetRefused("only the project's static and media files may be read")
        path = unquote(parts.path)
        if path.startswith(settings.STATIC_URL):
            file_path = _static_file(path.removeprefix(settings.STATIC_URL))
        elif settings.MEDIA_URL and path.startswith(settings.MEDIA_URL):
            file_path = _inside(Path(settings.MEDIA_ROOT), path.removeprefix(settings.MEDIA_URL))
        else:
            raise AssetRefused("path is neither under STATIC_URL nor MEDIA_URL")
        if file_path is None or not file_path.is_file():
            raise AssetRefused("no such static or media file")
        mime_type = mimetypes.guess_type(file_path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=file_path.read_bytes(), headers={"Content-Type": mime_type})

    def _data_url(self, url: str) -> URLFetcherResponse:
        header, _, payload = url[5:].partition(",")
        mime_type, *params = header.split(";")
        mime_type = mime_type.strip().lower()
        if mime_type not in DATA_URL_TYPES:
            raise AssetRefused(f"data: URLs are allowed for small images only, not {mime_type or 'untyped data'}")
        if len(payload) > DATA_URL_MAX_BYTES * 4 // 3 + 4:
            raise AssetRefused(f"data: URL larger than {DATA_URL_MAX_BYTES // 1024} KB")
        try:
            body = base64.b64decode(payload, validate=True) if "base64" in params else unquote(payload).encode()
        except (binascii.Error, ValueError):
            raise AssetRefused("malformed data: URL") from None
        if len(body) > DATA_URL_MAX_BYTES:
            raise AssetRefused(f"data: URL larger than {DATA_URL_MAX_BYTES // 1024} KB")
        return URLFetcherResponse(url, body=body, headers={"Content-Type": mime_type})


def _inside(root: Path, relative: str) -> Path | None:
    """``root / relative`` if it stays inside ``root`` after resolving links and ``..``."""
    root = root.resolve()
    candidate = (root / relative.lstrip("/")).resolve()
    return candidate if candidate.is_relative_to(root) else None


def _static_file(relative: str) -> Path | None:
    if ".." in Path(relative).parts:
        return None
    # Collected files in production; the apps' own folders in development.
    collected = _inside(Path(settings.STATIC_ROOT), relative)
    if collected is not None and collected.is_file():
        return collected
    found = finders.find(relative)
    return Path(found).resolve() if found else None


def render_pdf(
    template_name: str,
    context: dict,
    *,
    request=None,
    variant: str | None = DEFAULT_VARIANT,
    fetcher: AssetFetcher | None = None,
) -> bytes:
    """Render ``template_name`` with ``context`` to PDF bytes.

    The template must set ``<html lang>`` and ``<title>``: the default
    variant is tagged PDF/UA, which screen readers rely on and which requires
    both. Pass ``fetcher`` to inspect what the document tried to load.
    """
    html = render_to_string(template_name, context, request=request)
    return html_to_pdf(html, variant=variant, fetcher=fetcher)


def html_to_pdf(html: str, *, variant: str | None = DEFAULT_VARIANT, fetcher: AssetFetcher | None = None) -> bytes:
    """PDF bytes from an HTML string, with the same safe fetcher as :func:`render_pdf`."""
    fetcher = fetcher or AssetFetcher()
    document = HTML(string=html, base_url=f"{ASSET_ORIGIN}/", url_fetcher=fetcher)
    options = {"pdf_variant": variant, "pdf_tags": True} if variant else {"pdf_tags": True}
    return document.write_pdf(**options)
