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
import functools
import io
import logging
import mimetypes
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pydyf
import weasyprint.pdf as weasyprint_pdf
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from fontTools.ttLib import TTFont
from weasyprint import HTML
from weasyprint.pdf import tags as weasyprint_tags
from weasyprint.urls import URLFetcher, URLFetcherResponse

from portal.lib.fonts import REQUIRED_FONTS, missing_fonts  # noqa: F401 - part of this module's interface

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
        # Not URLFetcher.__init__: it builds urllib's HTTP, FTP, file and
        # redirect handlers (and an SSL context, 20 ms a letter) that this
        # fetcher never uses, since ``fetch`` below answers every URL itself.
        # Only the plain opener and the attributes WeasyPrint reads are set.
        urllib.request.OpenerDirector.__init__(self)
        self._timeout = 1
        self._http_headers = {}
        self._allowed_protocols = ()
        self._fail_on_errors = False
        self._request = None
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
        if f"{parts.scheme}://{parts.netloc}".lower() not in _local_origins():
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


def _local_origins() -> set[str]:
    """Origins whose static and media paths are read from disk: ours, never fetched over HTTP.

    The site's own address is among them, so a document whose links must
    point at the public site (``base_url=SITE_URL``) still reads its
    stylesheet and images from disk.
    """
    origins = {ASSET_ORIGIN}
    site = urlsplit(getattr(settings, "SITE_URL", "") or "")
    if site.scheme in ("http", "https") and site.netloc:
        origins.add(f"{site.scheme}://{site.netloc}".lower())
    return origins


def _inside(root: Path, relative: str) -> Path | None:
    """``root / relative`` if it stays inside ``root`` after resolving links and ``..``."""
    root = root.resolve()
    candidate = (root / relative.lstrip("/")).resolve()
    return candidate if candidate.is_relative_to(root) else None


def _static_file(relative: str) -> Path | None:
    # Keyed on the static settings too, so an override (tests) never sees another's answer.
    return _find_static(relative, str(settings.STATIC_ROOT), tuple(str(d) for d in settings.STATICFILES_DIRS))


def _static_roots() -> list[Path]:
    roots = [Path(settings.STATIC_ROOT)]
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(Path(location))
    return [root.resolve() for root in roots]


@functools.lru_cache(maxsize=512)
def _find_static(relative: str, _static_root: str, _static_dirs: tuple[str, ...]) -> Path | None:
    """Where a static path lives on disk, remembered: asking every app's finder took 20 ms a file.

    Only the path is remembered; the bytes are read afresh on every fetch.
    """
    relative = relative.lstrip("/")
    if not relative or ".." in Path(relative).parts:
        return None
    # Collected files in production; the apps' own folders in development.
    collected = _inside(Path(settings.STATIC_ROOT), relative)
    if collected is not None and collected.is_file():
        return collected
    try:
        found = finders.find(relative)
    except SuspiciousFileOperation:
        return None
    if not found:
        return None
    # A link inside a static folder must not lead out of every static folder.
    resolved = Path(found).resolve()
    return resolved if any(resolved.is_relative_to(root) for root in _static_roots()) else None


def _tag_passage_languages() -> None:
    """Write each passage's own language (``lang="…"``) into the tagged PDF's structure as ``/Lang``.

    WeasyPrint 70 uses an element's ``lang`` to shape its text and to match
    ``:lang()`` (the fonts of ``pdf-scripts.css``), and writes the document's
    language into the catalogue; it does not write a passage's language into
    that passage's structure element, which is what a screen reader reads to
    change voice (PDF/UA-1, 7.2: a Thai complaint quoted in an English
    letter). The structure tree is built by one recursive function of
    ``weasyprint.pdf.tags``, which calls itself through the module: wrapped
    once here, every element with a ``lang`` of its own gets it, and
    everything inside inherits it, as PDF structure does. If a WeasyPrint
    upgrade renames the function, letters are still made, only without
    per-passage languages (a test says so).
    """
    build = getattr(weasyprint_tags, "_build_box_tree", None)
    if build is None or getattr(build, "tags_languages", False):
        return

    def build_with_languages(box, *args, **kwargs):
        element = getattr(box, "element", None)
        language = None
        if element is not None and getattr(box, "element_tag", None) not in ("html", "body"):
            language = element.get("lang")
        for structure in build(box, *args, **kwargs):
            if language and "Lang" not in structure:
                structure["Lang"] = pydyf.String(language)
            yield structure

    build_with_languages.tags_languages = True
    build_with_languages.__wrapped__ = build  # bench/pdf.py times WeasyPrint without it
    weasyprint_tags._build_box_tree = build_with_languages


_tag_passage_languages()

# Scripts whose vowel signs are drawn before, above or around their consonant
# (Bengali's ি and ে, Devanagari's ि, Khmer's ែ and the subscript ្រ drawn
# in front, Myanmar's ေ): Pango hands WeasyPrint such a cluster as several
# glyphs, and WeasyPrint gives the cluster's whole text to the first glyph it
# sees and nothing to the others. Each glyph has one text per document, so
# the first cluster a glyph appears in decides it for every later one: the
# letter's text came out of the PDF with vowels lost or doubled ("ভাতা" read
# as "ভোতা"). Thai, Lao and Latin are drawn in the order they are written and
# are left as WeasyPrint maps them.
REORDERING_SCRIPT_FONTS = (b"Bengali", b"Devanagari", b"Khmer", b"Myanmar")
_glyph_characters_cache: dict[tuple[bytes, int], dict[int, str]] = {}


def _glyph_characters(font) -> dict[int, str]:
    """Glyph id → the character the font draws it for (its own cmap), read once per font."""
    key = (font.name.split(b"+", 1)[-1], font.index)
    if key not in _glyph_characters_cache:
        ttfont = TTFont(io.BytesIO(font.file_content), fontNumber=font.index, lazy=True)
        characters: dict[int, str] = {}
        for codepoint, glyph_name in sorted(ttfont.getBestCmap().items(), reverse=True):
            characters[ttfont.getGlyphID(glyph_name)] = chr(codepoint)  # the lowest code point wins
        _glyph_characters_cache[key] = characters
    return _glyph_characters_cache[key]


def _map_glyphs_to_their_characters() -> None:
    """Before WeasyPrint writes a font's text map, give each glyph of a reordering script its own character.

    Only glyphs the font's cmap names are changed (a vowel sign's glyph reads
    as that vowel sign, a consonant's as the consonant); conjuncts and other
    glyphs made by shaping keep WeasyPrint's text. Every character is then in
    the extracted text; a vowel drawn before its consonant comes out before it.
    """
    build = getattr(weasyprint_pdf, "build_fonts_dictionary", None)
    if build is None or getattr(build, "maps_glyphs", False):
        return

    def build_with_glyph_characters(pdf, fonts, *args, **kwargs):
        for font in fonts.values():
            if font.to_unicode and not font.bitmap and any(s in font.name for s in REORDERING_SCRIPT_FONTS):
                own = _glyph_characters(font)
                for glyph_id in font.to_unicode:
                    if glyph_id in own:
                        font.to_unicode[glyph_id] = own[glyph_id]
        return build(pdf, fonts, *args, **kwargs)

    build_with_glyph_characters.maps_glyphs = True
    build_with_glyph_characters.__wrapped__ = build
    weasyprint_pdf.build_fonts_dictionary = build_with_glyph_characters


_map_glyphs_to_their_characters()


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


def html_to_pdf(
    html: str,
    *,
    variant: str | None = DEFAULT_VARIANT,
    fetcher: AssetFetcher | None = None,
    base_url: str | None = None,
    on_laid_out: Callable[[int], None] | None = None,
) -> bytes:
    """PDF bytes from an HTML string, with the same safe fetcher as :func:`render_pdf`.

    ``base_url`` (default: the private asset origin) is what relative links
    resolve against; pass ``settings.SITE_URL`` when the document's links
    must work from the paper. ``on_laid_out(pages)`` is called between
    layout and writing, the two long steps, for progress reports.

    Refuses (``ValueError``) a document without a language or a title: a
    tagged PDF without them tells a screen reader nothing about how to read it.
    """
    fetcher = fetcher or AssetFetcher()
    document = HTML(string=html, base_url=base_url or f"{ASSET_ORIGIN}/", url_fetcher=fetcher)
    options = {"pdf_variant": variant, "pdf_tags": True} if variant else {"pdf_tags": True}
    rendered = document.render(**options)
    if not (rendered.metadata.lang or "").strip() or not (rendered.metadata.title or "").strip():
        raise ValueError("A PDF needs <html lang> and a <title>: screen readers rely on both.")
    if on_laid_out is not None:
        on_laid_out(len(rendered.pages))
    return rendered.write_pdf(**options)
