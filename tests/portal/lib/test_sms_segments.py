"""Segments: GSM-7 (160, 153 when concatenated) and UCS-2 (70, 67)."""

import pytest

from portal.lib.sms import segments


@pytest.mark.parametrize(
    ("text", "encoding", "units", "count"),
    [
        ("", "GSM-7", 0, 1),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),  # the extension table costs two septets
        ("[" * 81, "GSM-7", 162, 2),
        ("ก" * 70, "UCS-2", 70, 1),
        ("ก" * 71, "UCS-2", 71, 2),
        ("ก" * 134, "UCS-2", 134, 2),
        ("ก" * 135, "UCS-2", 135, 3),
        ("a" * 69 + "🙂", "UCS-2", 71, 2),  # an emoji is two UTF-16 units
        ("Khiếu nại", "UCS-2", 9, 1),  # Vietnamese diacritics leave GSM-7
        ("Ça coûte", "UCS-2", 8, 1),  # û is not in GSM-7, Ç is
    ],
)
def test_segments_follow_the_encoding(text, encoding, units, count):
    result = segments.count(text)
    assert (result.encoding, result.units, result.segments) == (encoding, units, count)


def test_truncate_fits_the_budget_with_an_ellipsis():
    cut = segments.truncate("ก" * 500, 2)
    assert segments.count(cut).segments == 2 and cut.endswith("…")
    assert segments.truncate("short", 1) == "short"
