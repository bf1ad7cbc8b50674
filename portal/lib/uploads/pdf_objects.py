"""Finding every object of a PDF with pypdf, within bounds, for the checks in ``pdf``.

Readers disagree on how they find objects, especially in damaged files, so the
check must see the union: objects the cross-reference table lists, objects
packed in compressed object streams (including streams nothing lists, which a
repairing reader still reads), whatever they refer to, and, when the table is
damaged, everything a scan of the file finds. Object streams are unpacked here
rather than by pypdf, so every inflated byte counts against one budget; the
walk is iterative, visits each object once (reference cycles are ordinary:
a page and its parent point at each other) and stops at a cap.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator

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

logger = logging.getLogger(__name__)

_PDF_WHITESPACE = b"\x00\t\n\x0c\r "
# The header pypdf searches for: whitespace, then "n g obj".
_PDF_OBJECT_HEADER = re.compile(rb"\s(\d{1,10})\s+(\d{1,5})\s+obj")


class Unchecked(Exception):
    """The file cannot be fully checked (unreadable, unusual or over a limit)."""


def open_pdf(data: bytes, *, max_objects: int) -> PdfReader:
    """A reader for the file: strict, or else rebuilt from a scan of the whole file.

    Readers open a file whose cross-reference table is damaged (offsets gone
    stale after an edit, a truncated table) by scanning it for objects. So
    such a file is neither refused nor read from the parts of its table that
    still parse: pypdf rebuilds the table by scanning, which it does when
    ``startxref`` is 0, and the walk then checks everything the scan found.
    """
    try:
        return PdfReader(io.BytesIO(data), strict=True, xref_stream_maximum_entries=max_objects)
    except Exception:
        logger.info("Upload: PDF cross-reference table unreadable, rebuilding it", exc_info=True)
    position = data.rfind(b"startxref")
    rescan = (data[:position] if position != -1 else data) + b"\nstartxref\n0\n%%EOF\n"
    return PdfReader(io.BytesIO(rescan), strict=False, xref_stream_maximum_entries=max_objects)


class ObjectGraph:
    """Every object of one document, each visited once, within a budget of inflated bytes and a cap on objects.

    Objects packed in object streams are unpacked here, not by pypdf, so that
    every byte inflated counts against the budget and streams no table lists
    are still read.
    """

    def __init__(self, reader: PdfReader, data: bytes, *, budget: int, max_objects: int) -> None:
        self.reader = reader
        self.max_objects = max_objects
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
        if self.visited > self.max_objects:
            raise Unchecked("too many objects")

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
        raise Unchecked("reference chain")

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
            raise Unchecked("not an object stream")
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
                raise Unchecked("inflate budget")
            # pypdf raises when the output would exceed the limit, and without
            # "recovery", which would inflate a damaged stream byte by byte
            # and keep whatever came out.
            with apply_configuration(zlib_maximum_output_length=self.budget, zlib_maximum_recovery_input_length=0):
                data = FlateDecode.decode(raw, self.resolve(dict.get(stream, "/DecodeParms")))
        else:
            raise Unchecked("object stream filter")
        self.budget -= len(data)
        if self.budget < 0:
            raise Unchecked("inflate budget")
        count, first = self.resolve(dict.get(stream, "/N")), self.resolve(dict.get(stream, "/First"))
        if not isinstance(count, NumberObject) or not isinstance(first, NumberObject):
            raise Unchecked("object stream header")
        if not 0 <= count <= len(data) // 3 or not 0 <= first <= len(data):
            raise Unchecked("object stream header")
        packed = io.BytesIO(data)
        index = [(self._read(packed), self._read(packed)) for _ in range(count)]
        for number, offset in index:
            if not isinstance(number, NumberObject) or not isinstance(offset, NumberObject) or number < 0:
                raise Unchecked("object stream index")
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

    # --- visiting them ---

    def dictionaries(self) -> Iterator[DictionaryObject]:
        """Every dictionary (streams included) reachable from the trailer, listed, or packed in an object stream."""
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
                yield value
                stack.extend(dict.values(value))
            elif isinstance(value, ArrayObject):
                self.count()
                stack.extend(value)
