"""The words a person texts to command the line, in every offered language.

English commands always work (``HELP``, ``STATUS``, ``STOP``, ``START``,
``LANG``, ``DONE``); each language adds its own: the translation of each
command in its catalogue (context "SMS keyword"), and the words programmes in
the region already use, below. A language's own word also sets the language
the line answers in. Matching ignores case, accents' absence and extra spaces.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import pgettext

COMMANDS = ("lodge", "status", "stop", "start", "lang", "done")
# Commands followed by something (a reference and PIN, a language code); the others are the whole message.
WITH_ARGUMENTS = {"status", "lang"}

BUILT_IN: dict[str, dict[str, str | None]] = {
    "lodge": {
        "HELP": None,
        "COMPLAIN": None,
        "GRIEVANCE": None,
        "ร้องเรียน": "th",
        "KHIEU NAI": "vi",
        "KHIẾU NẠI": "vi",
        "ADUAN": None,  # Malay and Indonesian alike: the line keeps its language
        "PENGADUAN": "id",
        "REKLAMO": "fil",
        "ពាក្យបណ្តឹង": "km",
        "ຮ້ອງຮຽນ": "lo",
        "တိုင်ကြား": "my",
        "投诉": "zh-hans",
        "অভিযোগ": "bn",
        "उजुरी": "ne",
        "شکایت": "ur",
    },
    "status": {"STATUS": None, "สถานะ": "th", "TRANG THAI": "vi", "TRẠNG THÁI": "vi", "状态": "zh-hans"},
    "stop": {"STOP": None, "STOPALL": None, "UNSUBSCRIBE": None, "CANCEL": None, "END": None, "QUIT": None},
    "start": {"START": None, "UNSTOP": None},
    "lang": {"LANG": None, "LANGUAGE": None},
    "done": {"DONE": None, "เสร็จ": "th", "XONG": "vi", "SIAP": None, "SELESAI": None, "完成": "zh-hans"},
}
_ENGLISH = {"lodge": "HELP", "status": "STATUS", "stop": "STOP", "start": "START", "lang": "LANG", "done": "DONE"}


@dataclass(frozen=True)
class Command:
    name: str  # one of COMMANDS
    language: str | None  # the language the word belongs to, when it says
    rest: str  # what follows the word


def fold(text: str) -> str:
    """Upper case, single spaces, NFC: how a message is compared with the words."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip().upper()


def _translated(language: str) -> dict[str, str]:
    with translation.override(language):
        return {name: fold(pgettext("SMS keyword", english)) for name, english in _ENGLISH.items()}


@functools.cache
def table() -> dict[str, dict[str, str | None]]:
    """Every command's words → the language each belongs to (None: any)."""
    words = {name: {fold(word): language for word, language in BUILT_IN[name].items()} for name in COMMANDS}
    for code, _name in settings.LANGUAGES:
        for name, word in _translated(code).items():
            if word and word not in words[name]:
                words[name][word] = code if code != settings.LANGUAGE_CODE else None
    return words


def parse(text: str) -> Command | None:
    """The command ``text`` gives, or None when it is no command (a description, an answer, a number)."""
    folded = fold(text)
    for name, words in table().items():
        for word, language in words.items():
            if folded == word:
                return Command(name, language, "")
            if name in WITH_ARGUMENTS and folded.startswith(word + " "):
                return Command(name, language, folded[len(word) :].strip())
    return None
