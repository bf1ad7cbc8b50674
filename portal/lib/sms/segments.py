"""How many message segments a text costs: GSM-7 or UCS-2, single or concatenated.

A text whose every character is in the GSM 03.38 alphabet (its basic table,
or its extension table at two septets each) travels as GSM-7: 160 septets in
one segment, 153 a segment when concatenated (the rest is the concatenation
header). Any other character (Thai, Khmer, Burmese, Bengali, Chinese,
Vietnamese with its diacritics, an emoji) makes the whole text UCS-2: 70
UTF-16 code units in one segment, 67 when concatenated; an emoji outside the
basic plane is two units.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


@dataclass(frozen=True)
class Count:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int

    def fits(self, segments: int) -> bool:
        return self.segments <= segments


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def count(text: str) -> Count:
    """The encoding, length in units and number of segments of ``text`` (an empty text is one segment)."""
    if is_gsm7(text):
        units = sum(2 if char in GSM7_EXTENSION else 1 for char in text)
        single, part, encoding = GSM7_SINGLE, GSM7_PART, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part, encoding = UCS2_SINGLE, UCS2_PART, "UCS-2"
    segments = 1 if units <= single else -(-units // part)
    return Count(encoding=encoding, units=units, segments=segments)


def room(text: str, segments: int) -> int:
    """Units left in ``segments`` segments after ``text``, counted in the worse (UCS-2) case."""
    units = len(text.encode("utf-16-le")) // 2
    budget = UCS2_SINGLE if segments == 1 else UCS2_PART * segments
    return budget - units


def truncate(text: str, segments: int) -> str:
    """``text`` cut (with an ellipsis) so that it fits in ``segments`` segments whatever its encoding."""
    if count(text).segments <= segments:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        middle = (low + high + 1) // 2
        if count(text[:middle].rstrip() + "…").segments <= segments:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"
