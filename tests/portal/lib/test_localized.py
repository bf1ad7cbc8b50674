"""Names per language with a fallback, and their admin inputs (portal.lib.localized)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import translation

from portal.lib.localized import NamesFormField, language_name, localized

LANGUAGES = [("en", "English"), ("th", "Thai"), ("vi", "Vietnamese"), ("zh-hans", "Chinese")]


def test_the_active_language_is_read_then_its_base_then_the_fallback():
    names = {"th": "เชียงใหม่", "zh": "清迈", "vi": "  "}
    with translation.override("th"):
        assert localized(names, "Chiang Mai") == "เชียงใหม่"
    with translation.override("zh-hans"):
        assert localized(names, "Chiang Mai") == "清迈"
    with translation.override("vi"):
        assert localized(names, "Chiang Mai") == "Chiang Mai"  # blank is not a name
    assert localized({}, "Chiang Mai", "th") == "Chiang Mai"
    assert localized(None, "Chiang Mai", "th") == "Chiang Mai"
    assert localized(names, "Chiang Mai", "th") == "เชียงใหม่"


@override_settings(LANGUAGES=LANGUAGES)
def test_the_admin_field_has_one_labelled_input_per_other_language_marked_with_it():
    field = NamesFormField(max_length=20)
    html = field.widget.render("names", {"th": 'เชียงใหม่ "<b>'}, attrs={"id": "id_names"})
    assert 'name="names_en"' not in html  # the default language is the model's own name
    for code in ("th", "vi", "zh-hans"):
        assert f'<label for="id_names_{code}">' in html and f'id="id_names_{code}"' in html
        assert f'lang="{code}"' in html
    assert "&quot;&lt;b&gt;" in html and "<b>" not in html
    assert field.widget.id_for_label("id_names") == "id_names_th"


@override_settings(LANGUAGES=LANGUAGES)
def test_the_admin_field_keeps_filled_names_only_and_refuses_long_ones():
    field = NamesFormField(max_length=10)
    data = {"names_th": "  เชียง   ใหม่ ", "names_vi": "", "names_zh-hans": "清迈"}
    value = field.widget.value_from_datadict(data, {}, "names")
    assert field.clean(value) == {"th": "เชียง ใหม่", "zh-hans": "清迈"}
    with pytest.raises(ValidationError):
        field.clean(field.widget.value_from_datadict({"names_th": "x" * 11}, {}, "names"))


def test_a_language_django_does_not_know_is_named_from_the_settings():
    with override_settings(LANGUAGES=[("en", "English"), ("fil", "Filipino")]):
        assert language_name("fil") == "Filipino"
    assert language_name("vi", local=True) == "Tiếng Việt"  # composed, not Django's decomposed spelling
