"""Every language Suara offers has its own date formats, from Django or from ``portal/formats``."""

import datetime

import polib
import pytest
from django.utils import formats, translation

# The thirteen languages of the portal (the settings' LANGUAGES is set elsewhere).
LANGUAGES = ("en", "id", "ms", "th", "vi", "km", "lo", "my", "fil", "zh-hans", "bn", "ne", "ur")


@pytest.fixture(autouse=True)
def _offered(settings, tmp_path):
    # Django uses a language's formats only once it has a catalogue; the
    # translators' catalogues are compiled at deployment, so stand-ins here.
    for code in LANGUAGES:
        folder = tmp_path / translation.to_locale(code) / "LC_MESSAGES"
        folder.mkdir(parents=True)
        polib.POFile().save_as_mofile(str(folder / "django.mo"))
    settings.LOCALE_PATHS = [tmp_path]
    settings.LANGUAGES = [(code, code) for code in LANGUAGES]
    formats.reset_format_cache()
    yield
    formats.reset_format_cache()


@pytest.mark.parametrize("code", LANGUAGES)
def test_each_language_has_a_date_format_module(code):
    modules = list(formats.get_format_modules(code))
    assert modules, f"{code} would fall back to the settings' English date formats"


def test_english_keeps_day_month_year():
    with translation.override("en"):
        assert formats.get_format("DATE_FORMAT") == "j F Y"


@pytest.mark.parametrize(
    ("code", "pattern"),
    [("fil", "{month} 30, 2026"), ("lo", "30 {month} 2026"), ("ur", "30 {month}، 2026"), ("ne", "2026 {month} 30")],
)
def test_dates_in_languages_django_has_no_formats_for(code, pattern):
    day = datetime.date(2026, 11, 30)
    with translation.override(code):
        month = formats.date_format(day, "F")
        assert formats.date_format(day, "DATE_FORMAT") == pattern.format(month=month)
