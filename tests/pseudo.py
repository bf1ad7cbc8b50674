"""A pseudo-locale built at test time from the messages ``makemessages`` would extract.

Every extracted message becomes accented, about a third longer and bracketed
(``Submit`` → ``[Šûƀɱîţ ···]``), with its placeholders and HTML left intact.
A page rendered in this locale shows every string that went through
translation in brackets; any English left outside brackets did not.

Only messages that ``xgettext`` can see are translated: a literal handed to
``gettext`` through a variable (``_(LABELS[name])``) is not extracted, so it
stays English here exactly as it would for a real translator's catalogue.

The extraction follows Django's ``makemessages`` (the same keywords, templates
turned into Python by ``templatize``) but writes nothing into the project:
translators own ``locale/``.
"""

from __future__ import annotations

import html
import math
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf.locale import LANG_INFO
from django.utils import translation
from django.utils.translation.template import templatize

PROJECT_DIR = Path(__file__).resolve().parent.parent

CODE = "xx"
SOURCE_DIRS = ("portal", "grievances", "consultations", "home", "templates")
XGETTEXT = [
    "xgettext",
    "--language=Python",
    "--from-code=UTF-8",
    "--keyword=gettext_noop",
    "--keyword=gettext_lazy",
    "--keyword=ngettext_lazy:1,2",
    "--keyword=pgettext:1c,2",
    "--keyword=npgettext:1c,2,3",
    "--keyword=pgettext_lazy:1c,2",
    "--keyword=npgettext_lazy:1c,2,3",
    "--no-wrap",
    "--output=-",
]

_ACCENTED = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "àƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÀßÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
        strict=True,
    )
)
# What a translation must keep as it is: printf and format placeholders,
# template variables, HTML tags and entities, and URLs.
_KEEP = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdif%]|\{[^{}]*\}|<[^>]+>|&#?\w+;|https?://\S+")


def pseudo(text: str) -> str:
    if not text:
        return text
    out, visible, position = [], 0, 0
    for match in _KEEP.finditer(text):
        chunk = text[position : match.start()]
        out.append("".join(_ACCENTED.get(c, c) for c in chunk))
        visible += len(chunk)
        out.append(match.group())
        position = match.end()
    chunk = text[position:]
    out.append("".join(_ACCENTED.get(c, c) for c in chunk))
    visible += len(chunk)
    # Trailing newlines stay outside the brackets: e-mail templates and
    # messages that end a line must still end it.
    body = "".join(out)
    stripped = body.rstrip("\n")
    return "[" + stripped + " " + "·" * max(1, math.ceil(visible * 0.35)) + "]" + body[len(stripped) :]


def _sources(project: Path) -> tuple[list[Path], list[Path]]:
    python, templates = [], []
    for name in SOURCE_DIRS:
        for path in sorted((project / name).rglob("*")):
            if "migrations" in path.parts or "__pycache__" in path.parts or not path.is_file():
                continue
            if path.suffix == ".py":
                python.append(path)
            elif path.suffix in (".html", ".txt"):
                templates.append(path)
    return python, templates


def extract(project: Path, workdir: Path) -> polib.POFile:
    """The message catalogue ``makemessages -e html,txt,py`` would extract, as a template."""
    python, templates = _sources(project)
    converted = []
    for index, path in enumerate(templates):
        target = workdir / f"template{index:04d}.py"
        target.write_text(templatize(path.read_text(encoding="utf-8"), origin=str(path)), encoding="utf-8")
        converted.append(target)
    result = subprocess.run(
        [*XGETTEXT, *map(str, python), *map(str, converted)], capture_output=True, text=True, check=True
    )
    return polib.pofile(result.stdout)


def build_catalogue(project: Path, locale_dir: Path) -> int:
    """Write ``<locale_dir>/xx/LC_MESSAGES/django.mo``; returns how many messages it holds."""
    work = locale_dir / "extracted"
    work.mkdir(parents=True, exist_ok=True)
    source = extract(project, work)
    catalogue = polib.POFile()
    catalogue.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Language": CODE,
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    for entry in source:
        if not entry.msgid:
            continue
        translated = polib.POEntry(msgid=entry.msgid, msgctxt=entry.msgctxt)
        if entry.msgid_plural:
            translated.msgid_plural = entry.msgid_plural
            translated.msgstr_plural = {0: pseudo(entry.msgid), 1: pseudo(entry.msgid_plural)}
        else:
            translated.msgstr = pseudo(entry.msgid)
        catalogue.append(translated)
    target = locale_dir / CODE / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    catalogue.save_as_mofile(str(target / "django.mo"))
    return len(catalogue)


# --- finding English outside the brackets ------------------------------------

_BRACKETED = re.compile(r"\[[^\[\]]*\]")
_WORD = re.compile(r"(?<![\w/.@-])[A-Za-z][A-Za-z']+(?![\w@-])")
# Not words: addresses, e-mail addresses, case references, codes, and the groups
# of eight hex digits a letter's fingerprint prints (some hold no digit at all).
_NOT_WORDS = re.compile(
    r"https?://\S+|\b[\w.+-]+@[\w.-]+\b|/[\w./?=&%-]*|\b[A-Z]{2,}-[\w-]*\d[\w-]*\b|\b[\w-]*\d[\w-]*\b"
    r"|\b[0-9a-f]{8}\b"
)


def without_brackets(text: str) -> str:
    previous = None
    while previous != text:
        previous, text = text, _BRACKETED.sub(" ", text)
    return text


def english_words(text: str, allowed_words: frozenset[str]) -> list[str]:
    """The English-looking words of ``text`` outside pseudo-translated brackets."""
    text = _NOT_WORDS.sub(" ", without_brackets(text))
    return [word for word in _WORD.findall(text) if word.lower() not in allowed_words]


# Elements whose text is not interface text: code, and user content, which
# the templates mark with its direction or language.
_SKIP_ELEMENTS = {"script", "style", "code", "kbd", "samp", "pre", "textarea", "template"}
_ATTRIBUTES = ("aria-label", "alt", "title", "placeholder", "aria-description")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class VisibleText(HTMLParser):
    """Collects (where, text) for the text nodes and labelling attributes a person reads or hears."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.found: list[tuple[str, str]] = []

    def _skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        # User text is isolated (dir="auto") or marked with its language;
        # the page's own <html lang> is not a mark of user text.
        user_text = tag != "html" and (
            attributes.get("dir") == "auto" or "lang" in attributes or attributes.get("translate") == "no"
        )
        skip = tag in _SKIP_ELEMENTS or user_text
        if not skip and not self._skipping():
            for name, value in attributes.items():
                # data-text-*: the strings live.js shows, rendered by the server.
                if value and (name in _ATTRIBUTES or name.startswith("data-text-")):
                    self.found.append((f"<{tag} {name}>", value))
            # What a search result or a shared link shows of the page.
            if tag == "meta" and attributes.get("name") == "description" and attributes.get("content"):
                self.found.append(("<meta description>", attributes["content"]))
            # A button's words are its content; an input button's are its value.
            if tag == "input" and attributes.get("type") in ("submit", "button", "reset"):
                if attributes.get("value"):
                    self.found.append((f"<{tag} value>", attributes["value"]))
        if tag not in _VOID:
            self.stack.append((tag, skip))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if data.strip() and not self._skipping():
            where = self.stack[-1][0] if self.stack else "document"
            self.found.append((f"<{where}>", data))


def visible_text(document: str) -> list[tuple[str, str]]:
    parser = VisibleText()
    parser.feed(document)
    parser.close()
    return parser.found


def normalise(text: str) -> str:
    return " ".join(html.unescape(text).split())


# --- fixtures (import them into a test module to use them) ---------------------


@pytest.fixture(scope="session")
def pseudo_locale(tmp_path_factory):
    """A directory holding the pseudo-locale's catalogue, built once per run."""
    directory = tmp_path_factory.mktemp("pseudo-locale")
    assert build_catalogue(PROJECT_DIR, directory) > 400
    return directory


@pytest.fixture
def in_pseudo_locale(settings, pseudo_locale, monkeypatch):
    """The pseudo-locale offered (LANGUAGES, LOCALE_PATHS) and active."""
    settings.LOCALE_PATHS = [pseudo_locale, *settings.LOCALE_PATHS]
    settings.LANGUAGES = [*settings.LANGUAGES, (CODE, "Pseudo")]
    monkeypatch.setitem(LANG_INFO, CODE, {"bidi": False, "code": CODE, "name": "Pseudo", "name_local": "Pšéûðö"})
    with translation.override(CODE):
        yield CODE
