"""Checking a PDF before it is kept: whole, unencrypted, and with nothing in it that runs.

PDFs are stored byte for byte (there is no PDF rewriter at run time) and later
opened by case officers in desktop readers on agency machines. So anything a
PDF can make a reader do by itself (run script, start a program, send data
somewhere, play media, open a file it carries) is refused, along with files we
cannot fully read, rather than stored for someone to open.

The file is parsed with pypdf, and every object in it is looked at, not only
those reachable from the catalogue: objects the cross-reference table lists,
objects packed in compressed object streams (including streams nothing lists),
and whatever they refer to. Readers disagree on how they find objects,
especially in damaged files, so we look at the union. Decompression and the
number of objects are bounded, so a hostile file is refused, not allowed to
hang a worker or exhaust its memory.
"""

from __future__ import annotations

import io
import logging
import re

from django.core.exceptions import ValidationError
from pypdf import PdfReader, apply_configuration
from pypdf.filters import FlateDecode
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    StreamObject,
    read_object,
)

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
_PDF_WHITESPACE = b"\x00\t\n\x0c\r "
# The header pypdf searches for: whitespace, then "n g obj".
_PDF_OBJECT_HEADER = re.compile(rb"\s(\d{1,10})\s+(\d{1,5})\s+obj")


class _Active(Exception):
    """Active content was found."""


class _Unchecked(Exception):
    """The file cannot be fully checked (unreadable, unusual or over a limit)."""


def _open(data: bytes) -> PdfReader:
    """A reader for the file: strict, or else rebuilt from a scan of the whole file.

    Readers open a file whose cross-reference table is damaged (offsets gone
    stale after an edit, a truncated table) by scanning it for objects. So
    such a file is neither refused nor read from the parts of its table that
    still parse: pypdf rebuilds the table by scanning, which it does when
    ``startxref`` is 0, and the walk then checks everything the scan found.
    """
    try:
        return PdfReader(io.BytesIO(data), strict=True, xref_stream_maximum_entries=_PDF_MAX_OBJECTS)
    except Exception:
        logger.info("Upload: PDF cross-reference table unreadable, rebuilding it", exc_info=True)
    position = data.rfind(b"startxref")
    rescan = (data[:position] if position != -1 else data) + b"\nstartxref\n0\n%%EOF\n"
    return PdfReader(io.BytesIO(rescan), strict=False, xref_stream_maximum_entries=_PDF_MAX_OBJECTS)


class _Walk:
    """Every object of one document, visited once, checked for active content.

    Objects packed in object streams are unpacked here, not by pypdf, so that
    every byte inflated counts against the budget and streams no table lists
    are still read.
    """

    def __init__(self, reader: PdfReader, data: bytes, budget: int) -> None:
        self.reader = reader
        self.data = data
        self.defined_in_file: set[tuple[int, int]] | None = None
        self.budget = budget
        self.visited = 0
        self.loaded: dict[tuple[int, int], PdfObject | None] = {}
        self.packed: dict[tuple[int, int], PdfObject] = {}
        self.unpacked: set[int] = set()
        self.pending: list[PdfObject] = []

    def count(self) -> None:
        self.visited += 1
        if self.visited > _PDF_MAX_OBJECTS:
            raise _Unchecked("too many objects")

    # --- finding objects ---

    def load(self, number: int, generation: int) -> PdfObject | None:
        """The object ``number generation R`` stands for; None when it is null or nowhere."""
        key = (number, generation)
        if key in self.loaded:
            return self.loaded[key]
        self.loaded[key] = None  # a reference to itself, while being read, is null
        reader = self.reader
        obj: PdfObject | None
        if generation == 0 and number in reader.xref_objStm:
            self.unpack(reader.xref_objStm[number][0])
            obj = self.packed.get(key)
        elif number in reader.xref.get(generation, {}) or self._in_file(number, generation):
            obj = reader.get_object(IndirectObject(number, generation, reader))
        else:
            # Not listed: perhaps packed in a stream no table lists.
            obj = self.packed.get(key)
        self.loaded[key] = obj
        return obj

    def _in_file(self, number: int, generation: int) -> bool:
        # pypdf finds an object no table lists by searching the file for its
        # "n g obj", but in strict mode raises when there is none, where the
        # PDF standard (and readers) take the reference as null. So look first,
        # once for the whole file rather than once per reference.
        if self.defined_in_file is None:
            self.defined_in_file = {(int(match[1]), int(match[2])) for match in _PDF_OBJECT_HEADER.finditer(self.data)}
        return (number, generation) in self.defined_in_file

    def resolve(self, value: PdfObject | None) -> PdfObject | None:
        for _ in range(32):
            if not isinstance(value, IndirectObject):
                return value
            value = self.load(value.idnum, value.generation)
        raise _Unchecked("reference chain")

    def name(self, dictionary: DictionaryObject, key: str) -> str | None:
        if key not in dictionary:
            return None
        value = self.resolve(dict.__getitem__(dictionary, key))
        return str(value) if isinstance(value, NameObject) else None

    def unpack(self, number: int) -> None:
        """Read the objects packed in object stream ``number``, and queue them for checking."""
        if number in self.unpacked:
            return
        self.unpacked.add(number)
        stream = self.load(number, 0)
        if not isinstance(stream, StreamObject) or self.name(stream, "/Type") != "/ObjStm":
            raise _Unchecked("not an object stream")
        self._unpack(stream)

    def _unpack(self, stream: StreamObject) -> None:
        filters = self.resolve(dict.get(stream, "/Filter"))
        if isinstance(filters, ArrayObject):
            filters = [self.resolve(item) for item in filters]
        elif filters is not None:
            filters = [filters]
        # Every writer compresses object streams with Flate alone. Any other
        # filter or chain is unusual enough to refuse, and keeps the decoders
        # hostile bytes reach to one well-worn one. "/Fl" is the abbreviation,
        # which pypdf no longer decodes for streams but other readers do.
        raw = stream._data  # the bytes as stored, before any filter
        if not filters:
            data = raw
        elif filters in (["/FlateDecode"], ["/Fl"]):
            if self.budget <= 0:
                raise _Unchecked("inflate budget")
            # pypdf raises when the output would exceed the limit, and without
            # "recovery", which would inflate a damaged stream byte by byte
            # and keep whatever came out.
            with apply_configuration(zlib_maximum_output_length=self.budget, zlib_maximum_recovery_input_length=0):
                data = FlateDecode.decode(raw, self.resolve(dict.get(stream, "/DecodeParms")))
        else:
            raise _Unchecked("object stream filter")
        self.budget -= len(data)
        if self.budget < 0:
            raise _Unchecked("inflate budget")
        count, first = self.resolve(dict.get(stream, "/N")), self.resolve(dict.get(stream, "/First"))
        if not isinstance(count, NumberObject) or not isinstance(first, NumberObject):
            raise _Unchecked("object stream header")
        if not 0 <= count <= len(data) // 3 or not 0 <= first <= len(data):
            raise _Unchecked("object stream header")
        packed = io.BytesIO(data)
        index = [(self._read(packed), self._read(packed)) for _ in range(count)]
        for number, offset in index:
            if not isinstance(number, NumberObject) or not isinstance(offset, NumberObject) or number < 0:
                raise _Unchecked("object stream index")
            packed.seek(first + offset)
            obj = self._read(packed)
            # All are checked, but the first one found answers references.
            self.packed.setdefault((int(number), 0), obj)
            self.pending.append(obj)

    def _read(self, packed: io.BytesIO) -> PdfObject:
        while (byte := packed.read(1)) and byte in _PDF_WHITESPACE:
            pass
        packed.seek(-len(byte), 1)
        return read_object(packed, self.reader)

    # --- checking them ---

    def run(self) -> None:
        reader = self.reader
        stack: list[PdfObject | None] = [reader.trailer]
        for generation, table in reader.xref.items():
            stack.extend(IndirectObject(number, generation, reader) for number in table)
        stack.extend(IndirectObject(number, 0, reader) for number in reader.xref_objStm)
        seen: set[tuple[int, int]] = set()
        while stack or self.pending:
            if not stack:
                stack, self.pending = self.pending, []
            value = stack.pop()
            if isinstance(value, IndirectObject):
                key = (value.idnum, value.generation)
                if key in seen:
                    continue
                seen.add(key)
                self.count()
                value = self.load(*key)
                if isinstance(value, StreamObject) and self.name(value, "/Type") == "/ObjStm":
                    self.unpack(key[0])
            if isinstance(value, DictionaryObject):
                self.count()
                self.check(value)
                stack.extend(dict.values(value))
            elif isinstance(value, ArrayObject):
                self.count()
                stack.extend(value)

    def check(self, dictionary: DictionaryObject) -> None:
        if not _REFUSED_KEYS.isdisjoint(dictionary):
            raise _Active
        kind = self.name(dictionary, "/Type")
        if kind in (None, "/Action") and self.name(dictionary, "/S") in _REFUSED_ACTIONS:
            raise _Active
        # Only annotations have a /Rect among dictionaries with these subtypes.
        if self.name(dictionary, "/Subtype") in _REFUSED_ANNOTATIONS and (kind == "/Annot" or "/Rect" in dictionary):
            raise _Active
        for trigger in ("/OpenAction", "/AA"):
            if trigger in dictionary:
                self.check_automatic(dict.__getitem__(dictionary, trigger), trigger == "/AA")

    def check_automatic(self, value: PdfObject, is_additional: bool) -> None:
        """Refuse an action that runs by itself (document or page open, /AA triggers) and reaches out."""
        value = self.resolve(value)
        if not isinstance(value, DictionaryObject):
            return  # an /OpenAction that is a destination: it only turns to a page
        actions = [self.resolve(item) for item in dict.values(value)] if is_additional else [value]
        seen: set[int] = set()
        while actions:
            action = actions.pop()
            if not isinstance(action, DictionaryObject) or id(action) in seen:
                continue
            seen.add(id(action))
            if len(seen) > _PDF_MAX_ACTION_CHAIN:
                raise _Unchecked("action chain")
            if self.name(action, "/S") in _REFUSED_AUTOMATIC_ACTIONS:
                raise _Active
            following = self.resolve(dict.get(action, "/Next"))
            actions.extend(
                [self.resolve(item) for item in following] if isinstance(following, ArrayObject) else [following]
            )


def check_pdf(data: bytes, *, name: str, inflate_budget: int = _PDF_INFLATE_BUDGET) -> None:
    """Refuse a PDF that is truncated, encrypted, unreadable, or carries active content.

    ``inflate_budget`` bounds the bytes inflated while reading it.
    """
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
            reader = _open(data)
            # Encrypted objects cannot be checked, and officers could not open
            # a file whose password they do not have.
            if reader.is_encrypted:
                raise ValidationError(MESSAGES["pdf_encrypted"], code="pdf_encrypted", params=params)
            _Walk(reader, data, inflate_budget).run()
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
