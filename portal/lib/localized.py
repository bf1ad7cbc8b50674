"""Names that people read, one per language, with the default language's name as the fallback.

Reference data (a category, a region, an agency) keeps its name in the
default language in its own column, as before, and its names in the other
languages in one JSON column ``{"th": "...", "vi": "..."}``: adding a language
adds no column and no migration, and a name nobody has translated yet reads
as the default one. ``localized(names, fallback)`` reads the active language;
the admin edits the JSON through one text input per offered language.
"""

from __future__ import annotations

import unicodedata

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _


def language_name(code: str, *, local: bool = False) -> str:
    """A language named in the active language (``local``: in itself); the code when Django knows no name."""
    try:
        info = get_language_info(code)
    except KeyError:
        names = dict(settings.LANGUAGES)
        name = str(names.get(code) or names.get(code.split("-")[0]) or code)
    else:
        name = info["name_local"] if local else str(info["name_translated"])
    # Django spells some names decomposed (Vietnamese): stored and compared, they must be composed.
    return unicodedata.normalize("NFC", name)


def localized(names: dict | None, fallback: str, language: str | None = None) -> str:
    """The name in ``language`` (the active one by default), its base language's, else ``fallback``."""
    if not names:
        return fallback
    language = (language or get_language() or settings.LANGUAGE_CODE).lower()
    for code in (language, language.split("-")[0]):
        text = names.get(code)
        if isinstance(text, str) and text.strip():
            return text
    return fallback


def other_languages() -> list[tuple[str, str]]:
    """The offered languages besides the default one, whose names go into the JSON column."""
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class NamesWidget(forms.Widget):
    """One text input per language, each labelled with the language's own name and marked with its ``lang``."""

    def __init__(self, *, max_length: int, attrs=None):
        super().__init__(attrs)
        self.max_length = max_length

    @property
    def languages(self) -> list[tuple[str, str]]:
        # Read when used, not when the form class is built (an admin's form classes live as long as the process).
        return other_languages()

    def _values(self, value) -> dict:
        if isinstance(value, dict):
            return value
        if isinstance(value, list | tuple):
            return dict(zip((code for code, _name in self.languages), value, strict=False))
        return {}

    def render(self, name, value, attrs=None, renderer=None):
        values = self._values(value)
        base_id = (attrs or {}).get("id") or f"id_{name}"
        return format_html_join(
            "",
            '<p class="localized-name"><label for="{0}_{2}">{3}</label> '
            '<input type="text" name="{1}_{2}" id="{0}_{2}" value="{4}" lang="{2}" dir="auto" maxlength="{5}"></p>',
            (
                (base_id, name, code, language_name(code, local=True), values.get(code) or "", self.max_length)
                for code, _label in self.languages
            ),
        ) or format_html("<p>{}</p>", _("Only one language is offered."))

    def value_from_datadict(self, data, files, name):
        return [data.get(f"{name}_{code}", "") for code, _name in self.languages]

    def value_omitted_from_data(self, data, files, name):
        return all(f"{name}_{code}" not in data for code, _name in self.languages)

    def id_for_label(self, id_):
        return f"{id_}_{self.languages[0][0]}" if id_ and self.languages else id_


class NamesFormField(forms.Field):
    """The per-language names as a dict; blank inputs are left out, so those languages fall back."""

    def __init__(self, *, max_length: int = 200, **kwargs):
        self.max_length = max_length
        kwargs.setdefault("required", False)
        super().__init__(widget=NamesWidget(max_length=max_length), **kwargs)

    def to_python(self, value) -> dict:
        values = self.widget._values(value)
        names = {}
        for code, _name in other_languages():
            text = values.get(code)
            if not isinstance(text, str):
                continue
            text = " ".join(text.split())
            if len(text) > self.max_length:
                raise ValidationError(
                    _("The name in %(language)s is longer than %(limit)d characters.")
                    % {"language": language_name(code), "limit": self.max_length},
                    code="max_length",
                )
            if text:
                names[code] = text
        return names

    def has_changed(self, initial, data) -> bool:
        return (initial or {}) != self.to_python(data)


class NamesField(models.JSONField):
    """A model's names in the languages beside the default one: ``{"th": "...", ...}``."""

    def __init__(self, *args, max_length: int = 200, **kwargs):
        self.name_max_length = max_length
        kwargs.setdefault("default", dict)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return NamesFormField(
            max_length=self.name_max_length, label=capfirst(self.verbose_name), help_text=self.help_text
        )


class LocalizedName(models.Model):
    """Adds ``names`` beside a model's ``name``, and ``localized_name`` to read the right one."""

    names = NamesField(
        _("name in other languages"),
        help_text=_("Leave a language empty to show the name above in that language."),
    )

    class Meta:
        abstract = True

    @property
    def localized_name(self) -> str:
        return localized(self.names, self.name)
