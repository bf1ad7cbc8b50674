"""The thirteen languages Suara speaks, for the tests that depend on all of them being offered."""

from contextlib import contextmanager

from django.conf import settings
from django.conf.locale import LANG_INFO

THIRTEEN = ["en", "id", "ms", "th", "vi", "km", "lo", "my", "fil", "zh-hans", "bn", "ne", "ur"]


@contextmanager
def thirteen_languages():
    """The settings offer all thirteen, with Django's language info for each (portal/settings.py)."""
    offered = [code for code, _name in settings.LANGUAGES]
    assert offered == THIRTEEN, offered
    assert all(code in LANG_INFO for code in offered)
    yield
