"""Outcome letters in the region's scripts: the words survive, the script's font is embedded,
each passage carries its language, Urdu reads right to left, Thai letters carry Buddhist-Era years."""

import io

import pypdf
import pytest
from django.utils import timezone, translation

from grievances import letters
from grievances.models import Grievance
from tests.grievances.test_outcome_letter import decide, embedded_fonts, flat, lodge, pdf_text

# A complaint in each language, the words of it the letter must still say, and the font
# family (as embedded: PostScript name without spaces) its script must be set in.
# The words have no vowel drawn before its consonant: text extraction gives those in the
# order they are drawn (portal.lib.pdf, REORDERING_SCRIPT_FONTS), every character present.
LETTERS = {
    "th": ("ผู้รับประโยชน์ไม่ได้รับเงินโอนเดือนนี้", "ไม่ได้รับเงินโอน", "NotoSansThai"),
    "km": ("ខ្ញុំមិនបានទទួលប្រាក់ឧបត្ថម្ភប្រចាំខែនេះទេ", "ឧបត្ថម្ភ", "NotoSansKhmer"),
    "bn": ("আমি এই মাসের বয়স্ক ভাতা পাইনি", "ভাতা", "NotoSansBengali"),
    "zh-hans": ("我这个月没有收到养老金补助", "养老金补助", "NotoSansCJKSC"),
    "ur": ("مجھے اس مہینے کی پنشن نہیں ملی", "پنشن", "NotoNaskhArabic"),
}


@pytest.fixture(autouse=True)
def _every_language_offered(settings):
    settings.LANGUAGES = [("en", "English"), *((code, code) for code in LETTERS)]


def decided_in(language, category, beneficiary, officer) -> Grievance:
    description, _words, _font = LETTERS[language]
    return decide(lodge(category, beneficiary, description=description, language=language), officer)


def render(grievance: Grievance, language: str) -> bytes:
    return letters.letter_render(grievance, language=language)[0]


def structure_languages(data: bytes) -> list[str]:
    """Every /Lang in the tagged PDF's structure tree, in document order."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    found = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, pypdf.generic.ArrayObject):
            for kid in node:
                walk(kid)
        elif isinstance(node, pypdf.generic.DictionaryObject):
            if "/Lang" in node:
                found.append(str(node["/Lang"]))
            if "/K" in node:
                walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


@pytest.mark.parametrize("language", list(LETTERS))
def test_a_letter_in_each_script_keeps_its_words_and_embeds_the_scripts_font(language, category, beneficiary, officer):
    grievance = decided_in(language, category, beneficiary, officer)
    data = render(grievance, language)
    _description, words, font = LETTERS[language]
    text = flat(pdf_text(data))
    assert words in text
    assert grievance.reference in text
    fonts = embedded_fonts(data)
    assert any(name.startswith(font) for name in fonts), (font, fonts)
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert reader.trailer["/Root"]["/Lang"] == language


def test_bengali_text_keeps_every_character_when_extracted(category, beneficiary, officer):
    """Without the glyph map, a vowel sign seen first in one cluster was lost or doubled in others."""
    text = flat(pdf_text(render(decided_in("bn", category, beneficiary, officer), "bn")))
    for word in ("আমি", "মাসের", "পাইনি"):  # each with a vowel sign drawn before its consonant
        assert sorted(word) == sorted(_drawn(text, word)), word


def _drawn(text: str, word: str) -> str:
    """The stretch of ``text`` where ``word``'s characters are, drawn order allowed."""
    for start in range(len(text) - len(word) + 1):
        if sorted(text[start : start + len(word)]) == sorted(word):
            return text[start : start + len(word)]
    return ""


def test_the_complainants_words_carry_their_language_inside_a_letter_in_another(category, beneficiary, officer):
    grievance = decided_in("th", category, beneficiary, officer)
    html = letters.letter_html(grievance, language="en")[0]
    assert 'lang="th"' in html
    data = render(grievance, "en")
    assert pypdf.PdfReader(io.BytesIO(data)).trailer["/Root"]["/Lang"] == "en"
    assert "th" in structure_languages(data)  # the quoted complaint, tagged as Thai
    assert "NotoSansThai" in {name[: len("NotoSansThai")] for name in embedded_fonts(data)}


def test_the_urdu_letter_runs_right_to_left(category, beneficiary, officer):
    grievance = decided_in("ur", category, beneficiary, officer)
    html = letters.letter_html(grievance, language="ur")[0]
    assert '<html lang="ur" dir="rtl">' in html
    english = letters.letter_html(grievance, language="en")[0]
    assert '<html lang="en" dir="ltr">' in english

    def label_x(data: bytes, language: str) -> float:
        """Where the "Reference" label starts across the first page (text space: larger is further right)."""
        with translation.override(language):
            label = translation.gettext("Reference")
        positions = []

        def visit(text, _cm, tm, _font, _size):
            if text.strip() == label:
                positions.append(tm[4])

        pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
        assert positions, f"no {label!r} on the first page"
        # The facts' label is the last one: a translated heading may name the reference too.
        return positions[-1]

    width = float(pypdf.PdfReader(io.BytesIO(render(grievance, "en"))).pages[0].mediabox.width)
    left_to_right = label_x(render(grievance, "en"), "en")
    right_to_left = label_x(render(grievance, "ur"), "ur")
    assert right_to_left - left_to_right > width / 2  # from the left margin to the right one


def test_thai_letters_are_dated_in_the_buddhist_era(category, beneficiary, officer):
    grievance = decided_in("th", category, beneficiary, officer)
    issued = timezone.localtime()
    thai = letters.letter_html(grievance, language="th", issued_at=issued)[0]
    english = letters.letter_html(grievance, language="en", issued_at=issued)[0]
    assert str(issued.year + 543) in thai and str(issued.year + 543) not in english
    with translation.override("th"):
        month = translation.gettext(issued.strftime("%B"))
    assert month in thai  # the month in Thai
    assert issued.strftime("%-d %B %Y") in english


@pytest.mark.parametrize(
    ("language", "expected"),
    [("vi", "tháng"), ("zh-hans", "年"), ("km", "ឆ្នាំ")],
)
def test_dates_follow_the_letters_language(language, expected, settings):
    from portal.templatetags.printed import printed_date

    with translation.override(language):
        assert expected in printed_date(timezone.localdate())
