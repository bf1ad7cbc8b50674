"""Checking a PDF before it is kept: whole, unencrypted, and free of script and launch actions."""

from __future__ import annotations

import re
import zlib

from django.core.exceptions import ValidationError

from .policy import MEGABYTE, MESSAGES

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
_PDF_INFLATE_BUDGET = 64 * MEGABYTE


def _pdf_names(data: bytes | memoryview) -> set[bytes]:
    return {
        _PDF_NAME_ESCAPE.sub(lambda escape: bytes([int(escape.group(1), 16)]), match.group(1))
        for match in _PDF_NAME.finditer(data)
    }


def _pdf_object_stream_names(data: bytes, name: str, budget: int) -> set[bytes]:
    """The names inside the PDF's compressed object streams.

    Since PDF 1.5, dictionaries — actions included — may be packed into
    Flate-compressed object streams, invisible to a scan of the raw bytes.
    This is a screen, not a parser: it inflates each object stream within a
    budget, and refuses any it cannot read rather than let it through unseen.
    """
    unchecked = ValidationError(MESSAGES["pdf_unchecked"], code="pdf_unchecked", params={"name": name})
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


def check_pdf(data: bytes, *, name: str, inflate_budget: int = _PDF_INFLATE_BUDGET) -> None:
    """Refuse a PDF that is truncated, encrypted, or carries script or launch actions."""
    params = {"name": name}
    if b"%%EOF" not in data[-_PDF_TRAILER_WINDOW:]:
        raise ValidationError(MESSAGES["pdf_incomplete"], code="pdf_incomplete", params=params)
    names = _pdf_names(data)
    # Encrypted objects cannot be screened, and officers could not open a
    # file whose password they do not have.
    if b"Encrypt" in names:
        raise ValidationError(MESSAGES["pdf_encrypted"], code="pdf_encrypted", params=params)
    if names & _PDF_ACTIVE_NAMES or _pdf_object_stream_names(data, name, inflate_budget) & _PDF_ACTIVE_NAMES:
        raise ValidationError(MESSAGES["pdf_active_content"], code="pdf_active_content", params=params)
