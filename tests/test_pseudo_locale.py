"""No English leaks: every page, e-mail, text message and PDF rendered in a pseudo-locale.

The pseudo-locale (``tests.pseudo``) translates every message ``makemessages``
extracts into bracketed, accented text. Whatever English is left outside the
brackets did not pass through translation, and would stay English in Thai or
Urdu too. The failure names the page (persona and address, or the template)
and the text.

What may legitimately stay as it is:

- user content: text inside elements marked as user text (``dir="auto"``,
  ``lang``, ``translate="no"``), and text equal to a value stored in the
  database (the demo world's names, titles, narratives, reference data);
- Django's, allauth's and Wagtail's own strings that Suara's catalogue does not
  carry (the admin's, mostly): they come with catalogues of their own, and this
  locale, which has no such catalogue, shows them in English. Those a reader
  meets (form errors, sign-in pages, dates: ``portal/upstream_messages.py``)
  Suara's catalogue carries, so they must show translated here too;
- product names and codes (``ALLOWED_WORDS``), references, numbers, addresses.
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf.locale import LANG_INFO
from django.core import mail
from django.db import models
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error
from pypdf import PdfReader

from consultations.models import ConsultationNotice, ConsultationPage, Response
from consultations.reports import report_html
from grievances import letters
from grievances.models import Grievance
from grievances.monitoring.indicators import Period
from grievances.monitoring.reports import monthly_report_pdf
from portal.models import Organization
from scripts import upstream_messages
from tests import pseudo
from tests.pseudo import in_pseudo_locale, pseudo_locale  # noqa: F401 (fixtures)
from tests.test_html_conformance import _case_of, _demo_user, render_pages

# Names and codes that are the same in every language.
ALLOWED_WORDS = frozenset(
    word.lower()
    for word in (
        "Suara PDF API Open311 OpenAPI REST JSON CSV XLSX HTML SMS PIN URL HTTP HTTPS TOTP ID GitHub "
        "Wagtail Django WCAG WebSocket UTC GMT"
    ).split()
)


SEPARATORS = re.compile(r"\s[·→—–|]\s|^[—–]\s|:\s|\s{2,}")
# Placeholders and numbers compare equal: Django's "at least %(min_length)d
# characters" is the page's "at least 10 characters".
_VARIABLE = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|\d[\d,.]*")


def _shape(text: str) -> str:
    return _VARIABLE.sub("#", text)


def _third_party_messages() -> tuple[frozenset[str], frozenset[str]]:
    """The English messages of Django, allauth and Wagtail that Suara does not carry, and language names."""
    site = Path(translation.__file__).resolve().parents[3]
    messages = set()
    catalogues = [
        path
        for package in ("django", "allauth", "wagtail")
        for path in (site / package).glob("**/en/LC_MESSAGES/django.po")
    ]
    carried = {(entry.msgctxt, entry.msgid) for entry in upstream_messages.entries()}
    for catalogue in catalogues:
        for entry in polib.pofile(str(catalogue)):
            if (entry.msgctxt, entry.msgid) in carried:
                continue  # Suara's own catalogue carries it, so it must not show in English
            for message in (entry.msgid, entry.msgid_plural):
                # A message with markup shows as several text nodes.
                for piece in re.split(r"<[^>]+>|%\(\w*link\)s|%\(end_link\)s", message or ""):
                    piece = _shape(pseudo.normalise(piece)).strip(" .")
                    if piece:
                        messages.add(piece)
    words = set()
    # Languages are named in themselves (Bahasa Indonesia, Filipino) and, beside that, in
    # Django's own words for them ("Thai"), which Django's catalogues translate.
    for info in LANG_INFO.values():
        for name in (info.get("name", ""), info.get("name_local", "")):
            words |= {word.lower() for word in re.findall(r"[A-Za-z]+", name)}
    return frozenset(messages), frozenset(words)


def _stored_text() -> tuple[frozenset[str], str]:
    """Every text value stored in the database: user content and reference data."""
    values = set()
    for model in apps.get_models():
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField) or field.get_internal_type() == "JSONField"
        ]
        if not fields or model._meta.app_label in ("sessions", "django_tasks_database", "admin"):
            continue
        for row in model._base_manager.values_list(*fields):
            for value in row:
                _collect(value, values)
    return frozenset(values), "\n".join(sorted(values))


def _collect(value, into: set[str]) -> None:
    if isinstance(value, str):
        text = pseudo.normalise(re.sub(r"<[^>]+>", " ", value)) if "<" in value else pseudo.normalise(value)
        if text:
            into.add(text)
            into.update(pseudo.normalise(part) for part in re.split(r"<[^>]+>|\n", value) if part.strip())
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, into)
    elif hasattr(value, "get_prep_value"):  # a StreamField's value
        _collect(value.get_prep_value(), into)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect(item, into)


class Leaks:
    def __init__(self):
        self.third_party, language_words = _third_party_messages()
        self.stored, self.corpus = _stored_text()
        self.allowed_words = ALLOWED_WORDS | language_words
        # Whole words only, so that a short stored name cannot cut a word of interface text in two.
        longest_first = sorted((value for value in self.stored if len(value) >= 3), key=len, reverse=True)
        self.stored_pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, longest_first)) + r")(?!\w)")
        self.found: list[str] = []

    def allowed(self, text: str) -> bool:
        if text in self.stored or _shape(text).strip(" .:") in self.third_party:
            return True
        # A long enough passage found in stored content is user content (a
        # narrative cut short, a paragraph of a page's body).
        return len(text) >= 16 and text.rstrip("…").strip() in self.corpus

    def check(self, where: str, what: str, text: str) -> None:
        text = pseudo.normalise(text)
        if not text or self.allowed(text):
            return
        # Interface text joins stored names with separators ("Category →
        # subcategory", "Page title · Suara"): each piece is judged alone.
        words = []
        for piece in SEPARATORS.split(pseudo.without_brackets(text)):
            piece = piece.strip(" :;,.()—–·→")
            if not piece or self.allowed(piece):
                continue
            # A list of stored names ("Topics: Digital payments, Platform work").
            for item in re.split(r"[,;] ", piece):
                if not self.allowed(item.strip(" .")):
                    words += pseudo.english_words(item, self.allowed_words)
        if words:
            self.found.append(f"{where}: {what} {text!r} (English: {', '.join(dict.fromkeys(words))})")

    def check_html(self, where: str, document: str) -> None:
        for what, text in pseudo.visible_text(document):
            self.check(where, what, text)

    def check_plain(self, where: str, text: str) -> None:
        """Plain text (e-mail, text message, a PDF's text): bracketed passages span lines, and
        stored names may be wrapped across them, so the text is judged whole."""
        text = pseudo.normalise(pseudo.without_brackets(text))
        text = self.stored_pattern.sub(" ", text)
        text = re.sub(r"\w+…", " ", text)  # a stored name cut short to fit
        words = pseudo.english_words(text, self.allowed_words)
        if words:
            found = dict.fromkeys(words)
            self.found.append(f"{where}: {text!r} (English: {', '.join(found)})")


def test_pseudo_translation_keeps_placeholders_and_markup():
    assert pseudo.pseudo("Submit") == "[Šûƀɱîţ ···]"
    translated = pseudo.pseudo('%(count)s cases in <a href="/x/">{label}</a> &amp; more\n')
    assert "%(count)s" in translated and '<a href="/x/">' in translated and "{label}" in translated
    assert "&amp;" in translated and translated.endswith("]\n")


def test_english_outside_brackets_is_found():
    allowed = frozenset({"suara"})
    assert pseudo.english_words("[Ŝûƀɱîţ ··] Suara GRV-2026-00012 https://x.org/a", allowed) == []
    assert pseudo.english_words("[Ŝéñţ [Ŝûƀ ·] ·] All open (3)", allowed) == ["All", "open"]


MATERNITY = "/consultations/maternity-cash-benefit-informal-workers/"
DIGITAL = "/consultations/digital-wage-payments-platform-workers/"
# Beyond the pages the HTML conformance test opens: the forms people fill in,
# with the errors they get, and the pages of the less common steps.
MORE_PAGES = {
    None: ("/grievances/verify/?code=0000", "/no-such-page/", "/you-said-we-did/"),
    "beneficiary": ("/grievances/{case}/withdraw/",),
    "union.rep": (DIGITAL + "respond/",),
    "officer": ("/workspace/intake/",),
    "supervisor": ("/workspace/monitoring/agency/sso/", "/workspace/insights/", "/workspace/insights/issues/"),
    "ministry": (MATERNITY + "manage/", MATERNITY + "responses/", DIGITAL + "manage/"),
}
FORMS_WITH_ERRORS = {
    None: ("/grievances/new/", "/grievances/track/"),
    "officer": ("/workspace/intake/",),
}


def _more_pages(client) -> dict[str, str]:
    pages = {}
    for persona in MORE_PAGES.keys() | FORMS_WITH_ERRORS.keys():
        client.logout()
        case = None
        if persona:
            user = _demo_user(persona)
            client.force_login(user)
            case = _case_of(persona, user)
        for url in MORE_PAGES.get(persona, ()):
            url = url.format(case=case)
            response = client.get(url, follow=True)
            # A missing page and a code that matches no letter answer 404, with a page.
            assert response.status_code == (404 if "no-such" in url or "code=" in url else 200), f"{persona} {url}"
            pages[f"{persona or 'anonymous'} {url}"] = response.content.decode()
        for url in FORMS_WITH_ERRORS.get(persona, ()):
            response = client.post(url, {"description": "x", "reference": "SU-0000-0000", "pin": "1"}, follow=True)
            pages[f"{persona or 'anonymous'} {url} (sent with mistakes)"] = response.content.decode()
    client.logout()
    return pages


def _template_literals(source: str) -> str:
    """A template with its tags, variables, comments and translated blocks taken out: what is left is literal."""
    source = re.sub(r"\{% comment %\}.*?\{% endcomment %\}|\{#.*?#\}", " ", source, flags=re.S)
    source = re.sub(r"\{% blocktranslate.*?\{% endblocktranslate %\}", " ", source, flags=re.S)
    return re.sub(r"\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.S)


def test_no_template_has_text_outside_translation_tags():
    """Every template, rendered or not by the sweep below: its literal text must be in translate tags."""
    templates = [
        path
        for folder in pseudo.SOURCE_DIRS
        for path in sorted((pseudo.PROJECT_DIR / folder).rglob("*"))
        if path.suffix in (".html", ".txt") and "templates" in path.relative_to(pseudo.PROJECT_DIR).parts
    ]
    assert len(templates) > 60
    found = []
    for path in templates:
        literal = _template_literals(path.read_text(encoding="utf-8"))
        pieces = [("text", literal)] if path.suffix == ".txt" else pseudo.visible_text(literal)
        for what, text in pieces:
            words = pseudo.english_words(text, ALLOWED_WORDS)
            if words:
                found.append(f"{path.relative_to(pseudo.PROJECT_DIR)}: {what} {pseudo.normalise(text)!r}")
    assert not found, "Text outside {% translate %} in templates:\n" + "\n".join(found)


def _render_messages(leaks: Leaks) -> None:
    """E-mail subjects and bodies, text messages: each template, in the pseudo-locale."""

    grievance = Grievance.objects.select_related("agency", "complainant", "category").order_by("pk").first()
    context = {"grievance": grievance, "pin": "123456", "site_url": "https://suara.example", "level": 1}
    context["user"] = grievance.assignee or grievance.complainant
    for name in (
        "grievances/email/acknowledgement_subject.txt",
        "grievances/email/acknowledgement.txt",
        "grievances/email/escalation_subject.txt",
        "grievances/email/escalation.txt",
        "grievances/sms/acknowledgement.txt",
    ):
        leaks.check_plain(f"template {name}", render_to_string(name, context))

    consultation = ConsultationPage.objects.live().order_by("pk").first()
    response = Response.objects.select_related("consultation").order_by("pk").first()
    link = "https://suara.example/consultations/x/"
    for kind, _label in ConsultationNotice.Kind.choices:
        notice = ConsultationNotice(consultation=consultation, kind=kind)
        context = {"notice": notice, "consultation": consultation, "link": link}
        for name in ("consultations/email/notice_subject.txt", "consultations/email/notice.txt"):
            leaks.check_plain(f"template {name} ({kind})", render_to_string(name, context))
    context = {"response": response, "consultation": response.consultation, "link": link}
    for name in ("consultations/email/receipt_subject.txt", "consultations/email/receipt.txt"):
        leaks.check_plain(f"template {name}", render_to_string(name, context))


def _render_pdfs(leaks: Leaks) -> None:

    decided = Grievance.objects.exclude(decision="").order_by("pk").first()
    pdf, _code = letters.letter_render(decided, language=pseudo.CODE)
    leaks.check_plain("the outcome letter (PDF)", _pdf_text(pdf))
    agency = Organization.objects.get(slug="sso")
    today = date.today()
    report = monthly_report_pdf(agency=agency, period=Period.month(today.replace(day=1)), today=today)
    leaks.check_plain("the monthly report (PDF)", _pdf_text(report))
    consultation = ConsultationPage.objects.live().filter(slug="maternity-cash-benefit-informal-workers").first()
    # The outcome report's HTML is the PDF's source; checked as HTML, its
    # text nodes are told apart from the user content they hold.
    leaks.check_html("the consultation outcome report (PDF source)", report_html(consultation, language=pseudo.CODE))


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.slow
def test_nothing_is_left_in_english(in_pseudo_locale, home_page, settings):  # noqa: F811 (a fixture)
    client = Client(headers={"accept-language": pseudo.CODE})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = pseudo.CODE
    # Signed-in people read in their own preferred language: every persona prefers the pseudo-locale.
    pages = render_pages(client, preferred_language=pseudo.CODE)
    pages.update(_more_pages(client))
    leaks = Leaks()
    for label, document in pages.items():
        assert f'lang="{pseudo.CODE}"' in document[:500], f"{label} is not in the pseudo-locale"
        leaks.check_html(label, document)
    leaks.check_html("the 500 page", _server_error())
    _render_messages(leaks)
    mail.outbox = []
    _render_pdfs(leaks)
    assert not leaks.found, "English that did not pass through translation:\n" + "\n".join(leaks.found)


def _server_error() -> str:

    request = RequestFactory(headers={"accept-language": pseudo.CODE}).get("/")
    return server_error(request).content.decode()
