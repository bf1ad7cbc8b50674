"""The shared cleaner of free text."""

import pytest

from portal.lib.text import clean_text

OVERRIDES = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


@pytest.mark.parametrize("control", list(OVERRIDES))
def test_bidi_embeddings_overrides_and_isolates_are_dropped_from_stored_text(control):
    assert clean_text(f"paid {control}0001{control} baht") == "paid 0001 baht"


def test_direction_marks_and_joiners_that_scripts_need_are_kept():
    text = "שלום\u200f 123 مرحبا\u061c ok\u200e क्\u200dष"
    assert clean_text(text) == text
