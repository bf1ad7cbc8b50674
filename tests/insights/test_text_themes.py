"""The grouper the wing lends to consultations (``portal.registry.TEXT_THEMES``): any texts, no database."""

from django.utils import translation

from grievances.insights.text_themes import group_texts
from portal import registry

PENSION = [
    "My old-age pension stopped after the proof of life check.",
    "Pensiun hari tua saya dihentikan setelah bukti hidup.",
    "เบี้ยยังชีพผู้สูงอายุของฉันหยุดจ่ายหลังจากยืนยันตัวตน",
    "Lương hưu của tôi bị dừng sau khi xác nhận còn sống.",
]
COUNCIL = [
    "Unions want a seat on the tripartite council, write to rider@example.org",
    "Give unions a seat on the tripartite council, call 0812 345 6789",
    "A tripartite council seat for unions of platform workers",
]


def test_texts_in_several_languages_meet_in_one_theme_named_by_its_concepts():
    with translation.override("en"):
        themes = group_texts(PENSION + ["Nothing to add."], language="en")
    assert len(themes) == 1 and {0, 1, 3} <= set(themes[0]["members"]) and 4 not in themes[0]["members"]
    assert "old-age pension" in themes[0]["label"]


def test_a_theme_outside_the_glossary_is_named_by_shared_words_never_by_identifiers():
    with translation.override("en"):
        themes = group_texts(COUNCIL + PENSION, language="en")
    council = next(theme for theme in themes if set(theme["members"]) == {0, 1, 2})
    assert council["label"] == "council · seat · tripartite"
    assert all("example" not in theme["label"] and "0812" not in theme["label"] for theme in themes)


def test_too_few_texts_make_no_theme():
    assert group_texts(PENSION[:2], language="en") == []


def test_the_portal_finds_the_grouper_through_the_registry():
    assert registry.text_themes(PENSION, language="en")[0]["members"]
