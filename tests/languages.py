"""The thirteen languages Suara speaks, for tests that need them before settings offer them all."""

from contextlib import contextmanager

from django.conf.locale import LANG_INFO
from django.test import override_settings

THIRTEEN = [
    ("en", "English"),
    ("id", "Bahasa Indonesia"),
    ("ms", "Bahasa Melayu"),
    ("th", "ไทย"),
    ("vi", "Tiếng Việt"),
    ("km", "ខ្មែរ"),
    ("lo", "ລາວ"),
    ("my", "မြန်မာ"),
    ("fil", "Filipino"),
    ("zh-hans", "简体中文"),
    ("bn", "বাংলা"),
    ("ne", "नेपाली"),
    ("ur", "اردو"),
]

# Django has no entry for these two; the portal's settings add them (until then, tests do).
MISSING_LANG_INFO = {
    "fil": {"bidi": False, "code": "fil", "name": "Filipino", "name_local": "Filipino"},
    "lo": {"bidi": False, "code": "lo", "name": "Lao", "name_local": "ລາວ"},
}


@contextmanager
def thirteen_languages():
    """The thirteen offered, with Django's language info for each."""
    added = [code for code in MISSING_LANG_INFO if code not in LANG_INFO]
    LANG_INFO.update({code: MISSING_LANG_INFO[code] for code in added})
    try:
        with override_settings(LANGUAGES=THIRTEEN):
            yield
    finally:
        for code in added:
            LANG_INFO.pop(code, None)
