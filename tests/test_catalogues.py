"""The translation catalogues: complete, well-formed, and true to the glossary.

A string left untranslated or fuzzy shows English to someone who chose Thai;
a dropped placeholder crashes the page or the text message; a key term that
drifts ("complaint" one page, "petition" the next) confuses the very people
the portal is for.
"""

import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.translation import to_locale

from scripts import upstream_messages
from scripts.translations import PLURAL_FORMS, glossary_problems

LOCALE = Path(settings.BASE_DIR) / "locale"
OTHER_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
DOMAINS = ("django", "djangojs")

# The plural rule each language's catalogue must carry: Django's own where it
# has one, so that Suara's and Django's catalogues agree on the forms.
EXPECTED_NPLURALS = {
    "id": 1, "ms": 1, "th": 1, "vi": 1, "km": 1, "lo": 1, "my": 1, "zh_Hans": 1,
    "fil": 2, "bn": 2, "ne": 2, "ur": 2,
}  # fmt: skip


def catalogues():
    for code in OTHER_LANGUAGES:
        for domain in DOMAINS:
            path = LOCALE / to_locale(code) / "LC_MESSAGES" / f"{domain}.po"
            if domain == "django" or path.exists():
                yield pytest.param(to_locale(code), domain, path, id=f"{code}-{domain}")


def test_every_offered_language_has_a_catalogue():
    assert OTHER_LANGUAGES, "only English is offered"
    missing = [
        code for code in OTHER_LANGUAGES if not (LOCALE / to_locale(code) / "LC_MESSAGES" / "django.po").exists()
    ]
    assert not missing


@pytest.mark.parametrize(("locale", "domain", "path"), list(catalogues()))
def test_catalogue_is_complete(locale, domain, path):
    po = polib.pofile(str(path))
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated in {path}, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {path}, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize(("locale", "domain", "path"), list(catalogues()))
def test_placeholders_and_header_pass_msgfmt(locale, domain, path):
    result = subprocess.run(
        ["msgfmt", "--check-format", "--check-header", "--check-domain", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
    )
    errors = [line for line in result.stderr.splitlines() if "warning" not in line]
    assert result.returncode == 0 and not errors, result.stderr


@pytest.mark.parametrize(("locale", "domain", "path"), list(catalogues()))
def test_plural_forms_are_right_for_the_language(locale, domain, path):
    header = polib.pofile(str(path)).metadata["Plural-Forms"]
    assert f"nplurals={EXPECTED_NPLURALS[locale]};" in header.replace(" ", "")
    if locale in PLURAL_FORMS:
        assert header == PLURAL_FORMS[locale]


@pytest.mark.parametrize(("locale", "domain", "path"), list(catalogues()))
def test_key_terms_follow_the_glossary(locale, domain, path):
    problems = glossary_problems(locale, domain)
    assert not problems, "\n".join(problems[:20])


def test_compiled_catalogues_are_current():
    """compilemessages runs clean; the .mo files Django reads are made from these .po files."""
    result = subprocess.run(
        [str(Path(settings.BASE_DIR) / ".venv" / "bin" / "python"), "manage.py", "compilemessages", "--ignore=.venv"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_upstream_messages_module_is_current():
    """An upgrade of Django or allauth that adds or rewords a message a reader meets shows up here."""
    assert upstream_messages.MODULE.read_text(encoding="utf-8") == upstream_messages.render(), (
        "portal/upstream_messages.py is out of date: run python scripts/upstream_messages.py, then refresh the catalogues"
    )


@pytest.mark.parametrize("locale", [to_locale(code) for code in OTHER_LANGUAGES])
def test_django_and_allauth_messages_readers_meet_are_in_suaras_catalogue(locale):
    """Lao and Filipino have no Django catalogue, nine languages no allauth one: Suara's carries them all."""
    po = polib.pofile(str(LOCALE / locale / "LC_MESSAGES" / "django.po"))
    carried = {(entry.msgctxt, entry.msgid) for entry in po if entry.translated() and not entry.obsolete}
    missing = [e.msgid for e in upstream_messages.entries() if (e.msgctxt, e.msgid) not in carried]
    assert not missing, f"{len(missing)} of Django's and allauth's messages missing in {locale}, e.g. {missing[:5]}"
