"""Checking a PDF before it is kept: whole, unencrypted, and with nothing in it that runs.

PDFs are stored byte for byte (there is no PDF rewriter at run time) and later
opened by case officers in desktop readers on agency machines. So anything a
PDF can make a reader do by itself (run script, start a program, send data
somewhere, play media, open a file it carries) is refused, along with files we
cannot fully read, rather than stored for someone to open.

The file is parsed with pypdf and every object in it is looked at, not only
those reachable from the catalogue (``pdf_objects`` finds them). This module
says what is refused, and why. Decompression and the number of objects are
bounded, so a hostile file is refused, not allowed to hang a worker or
exhaust its memory.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from pypdf import apply_configuration
from pypdf.generic import ArrayObject, DictionaryObject, PdfObject

from .pdf_objects import ObjectGraph, Unchecked, open_pdf
from .policy import MEGABYTE, MESSAGES

logger = logging.getLogger(__name__)

# Adobe's readers look for %%EOF in the last 1024 bytes; so do we.
_PDF_TRAILER_WINDOW = 1024
# Object streams are small dictionaries packed together; all of a genuine
# 10 MB PDF's inflate to far less than this. It bounds a zip bomb, and is also
# what pypdf may inflate for any one stream it decodes on its own.
_PDF_INFLATE_BUDGET = 64 * MEGABYTE
# Dictionaries, arrays and indirect objects visited. A long, tagged report has
# tens of thousands; the cap keeps a file made of millions of tiny objects
# from holding a worker for minutes.
_PDF_MAX_OBJECTS = 500_000

# Action types (an action dictionary's /S) refused wherever they appear, even
# behind a link someone must click: grievance evidence (letters, receipts,
# scans, filled forms) never needs them.
_REFUSED_ACTIONS = frozenset(
    {
        # Runs script in the reader: how a PDF phishes, fingerprints or exploits it.
        "/JavaScript",
        # Starts a program or opens a file on the officer's machine.
        "/Launch",
        # Sends form data, or the whole document, to an address the sender chose.
        "/SubmitForm",
        # Reads a data file from the officer's disk into the document.
        "/ImportData",
        # Hand the file's media to a player or the Flash runtime, long-standing
        # ways to exploit a reader, and able to run script of their own.
        "/Rendition",
        "/RichMediaExecute",
        "/Movie",
        "/Sound",
        # Opens a PDF carried inside (or beside) this one, which nobody checked.
        "/GoToE",
        # Opens another file by path; a network path (\\host\share) makes
        # Windows send the officer's credentials to that host.
        "/GoToR",
    }
)
# Annotations that carry or play content of their own, refused for the same
# reasons: a file attachment is a second file of any type that escaped the
# type check; the others host media, Flash or 3D content (whose streams may
# hold script no dictionary shows).
_REFUSED_ANNOTATIONS = frozenset({"/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen", "/3D"})
# Keys whose mere presence means active or hidden content.
_REFUSED_KEYS = frozenset(
    {
        # A script (in a JavaScript action), or the document's named scripts,
        # which readers run when the document opens.
        "/JS",
        "/JavaScript",
        # Embedded files: the document's list of them, and a file
        # specification's embedded stream. Readers offer to open them, and
        # they are files of any type that never passed our checks.
        "/EmbeddedFiles",
        "/EF",
        # An XFA form (in /AcroForm) is an XML application with scripts of its
        # own, inside streams this walk does not read.
        "/XFA",
    }
)
# A link to a web page is ordinary in a letter, but opened by itself (document
# open, page open, an /AA trigger) it tells a stranger when and where the file
# was read.
_REFUSED_AUTOMATIC_ACTIONS = frozenset({"/URI"})
# Readers let actions chain through /Next; a chain longer than this is no
# ordinary document.
_PDF_MAX_ACTION_CHAIN = 1000


class _Active(Exception):
    """Active content was found."""


def _check(graph: ObjectGraph, dictionary: DictionaryObject) -> None:
    """Refuse a dictionary that is, or starts, active content (names are compared as pypdf decoded them)."""
    if not _REFUSED_KEYS.isdisjoint(dictionary):
        raise _Active
    kind = graph.name(dictionary, "/Type")
    if kind in (None, "/Action") and graph.name(dictionary, "/S") in _REFUSED_ACTIONS:
        raise _Active
    # Only annotations have a /Rect among dictionaries with these subtypes.
    if graph.name(dictionary, "/Subtype") in _REFUSED_ANNOTATIONS and (kind == "/Annot" or "/Rect" in dictionary):
        raise _Active
    for trigger in ("/OpenAction", "/AA"):
        if trigger in dictionary:
            _check_automatic(graph, dict.__getitem__(dictionary, trigger), trigger == "/AA")


def _check_automatic(graph: ObjectGraph, value: PdfObject, is_additional: bool) -> None:
    """Refuse an action that runs by itself (document or page open, /AA triggers) and reaches out."""
    value = graph.resolve(value)
    if not isinstance(value, DictionaryObject):
        return  # an /OpenAction that is a destination: it only turns to a page
    actions = [graph.resolve(item) for item in dict.values(value)] if is_additional else [value]
    seen: set[int] = set()
    while actions:
        action = actions.pop()
        if not isinstance(action, DictionaryObject) or id(action) in seen:
            continue
        seen.add(id(action))
        if len(seen) > _PDF_MAX_ACTION_CHAIN:
            raise Unchecked("action chain")
        if graph.name(action, "/S") in _REFUSED_AUTOMATIC_ACTIONS:
            raise _Active
        following = graph.resolve(dict.get(action, "/Next"))
        actions.extend(
            [graph.resolve(item) for item in following] if isinstance(following, ArrayObject) else [following]
        )


def check_pdf(data: bytes, *, name: str, inflate_budget: int | None = None) -> None:
    """Refuse a PDF that is truncated, encrypted, unreadable, or carries active content.

    ``inflate_budget`` bounds the bytes inflated while reading it (default: :data:`_PDF_INFLATE_BUDGET`,
    read at each call).
    """
    if inflate_budget is None:
        inflate_budget = _PDF_INFLATE_BUDGET
    params = {"name": name}
    if b"%%EOF" not in data[-_PDF_TRAILER_WINDOW:]:
        raise ValidationError(MESSAGES["pdf_incomplete"], code="pdf_incomplete", params=params)
    try:
        # The same bound for anything pypdf decodes on its own (cross-reference
        # streams, a stream whose /Length sits in an object stream).
        with apply_configuration(
            zlib_maximum_output_length=inflate_budget,
            zlib_maximum_recovery_input_length=0,
            lzw_maximum_output_length=inflate_budget,
            run_length_maximum_output_length=inflate_budget,
            brotli_maximum_output_length=inflate_budget,
            array_based_stream_maximum_output_length=inflate_budget,
        ):
            reader = open_pdf(data, max_objects=_PDF_MAX_OBJECTS)
            # Encrypted objects cannot be checked, and officers could not open
            # a file whose password they do not have.
            if reader.is_encrypted:
                raise ValidationError(MESSAGES["pdf_encrypted"], code="pdf_encrypted", params=params)
            graph = ObjectGraph(reader, data, budget=inflate_budget, max_objects=_PDF_MAX_OBJECTS)
            for dictionary in graph.dictionaries():
                _check(graph, dictionary)
    except ValidationError:
        raise
    except _Active:
        raise ValidationError(MESSAGES["pdf_active_content"], code="pdf_active_content", params=params) from None
    except Exception:
        # Hostile bytes can make a parser fail in many ways (including
        # RecursionError on deep nesting); each means "not checked". Logged
        # without the file's name.
        logger.info("Upload refused: PDF could not be checked", exc_info=True)
        raise ValidationError(MESSAGES["pdf_unchecked"], code="pdf_unchecked", params=params) from None
