"""The light <select> renders what Django's templates render, escaped the same way."""

import re

from django import forms
from django.test.html import parse_html

from portal.widgets import LightSelect
from tests.factories import HOSTILE

CHOICES = [("", "Any"), ("a&b", HOSTILE), ("Group <i>", [("1", "one"), ("2", '"two"')]), (3, "three")]


class Both(forms.Form):
    django = forms.ChoiceField(choices=CHOICES, required=False)
    light = forms.ChoiceField(choices=CHOICES, required=False, widget=LightSelect(attrs={"class": "x"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["django"].widget.attrs["class"] = "x"


def markup(form: forms.Form, name: str):
    """The field's markup with its own name taken out, parsed: attribute order does not matter."""
    html = str(form[name]).replace(f'"{name}"', '"field"').replace(f'"id_{name}', '"id_field')
    return parse_html(re.sub(r">\s+<", "><", html.replace("\n", "")))


def test_the_light_select_renders_as_djangos_select():
    for form in (Both(initial={"django": "1", "light": "1"}), Both(data={"django": "a&b", "light": "a&b"})):
        form.is_valid()
        assert markup(form, "light") == markup(form, "django")
        assert "<script>" not in str(form["light"])
        assert " selected" in str(form["light"])


def test_the_light_select_keeps_the_error_description():
    form = Both(data={"django": "nope", "light": "nope"})
    assert not form.is_valid()
    assert 'aria-invalid="true"' in str(form["light"])
    assert markup(form, "light") == markup(form, "django")
