"""Language-prefixed addresses whose prefix need not be the language code.

Django's ``i18n_patterns`` put every language under its own code: ``/th/``,
``/vi/``... and ``/my/`` for Burmese, which is also the address of a signed-in
person's own page (printed on posters, sent by text message). Django's
``LocaleMiddleware`` would then read every visit to ``/my/`` as Burmese.

Here each language has a URL prefix, its code unless
``SUARA_LANGUAGE_URL_PREFIXES`` names another (Burmese: ``mya``, its ISO 639-2
code), and a language is read from the path only through that table: ``/my/``
is never a language. Addresses outside ``language_prefix_patterns`` stay
unprefixed and take their language from the visitor's choice (cookie), then
the browser (``Accept-Language``).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.urls import URLResolver
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation
from django.utils.cache import patch_vary_headers


def url_prefix(language_code: str) -> str:
    """The first segment of the addresses in ``language_code`` (``th``, ``mya``)."""
    return settings.SUARA_LANGUAGE_URL_PREFIXES.get(language_code, language_code)


def _languages_by_prefix() -> dict[str, str]:
    return {url_prefix(code): code for code, _name in settings.LANGUAGES}


_FIRST_SEGMENT = re.compile(r"^/([\w-]+)(?:/|$)")


def language_from_path(path: str) -> str | None:
    """The language whose prefix starts ``path``, or None (``/my/`` gives None)."""
    match = _FIRST_SEGMENT.match(path)
    if not match:
        return None
    return _languages_by_prefix().get(match.group(1).lower())


def split_language_prefix(path: str) -> tuple[str | None, str]:
    """``/th/consultations/`` → ``("th", "/consultations/")``; an unprefixed path → ``(None, path)``."""
    language = language_from_path(path)
    if language is None:
        return None, path
    rest = path[len(url_prefix(language)) + 1 :]
    return language, rest if rest.startswith("/") else "/" + rest


def with_language_prefix(path: str, language_code: str) -> str:
    """``path`` (with or without a prefix) under ``language_code``'s prefix."""
    _language, rest = split_language_prefix(path)
    return f"/{url_prefix(language_code)}{rest}"


class LanguagePrefixPattern(LocalePrefixPattern):
    """Django's prefix pattern, with the prefix taken from ``url_prefix``; every language is prefixed."""

    def __init__(self):
        super().__init__(prefix_default_language=True)

    @property
    def language_prefix(self) -> str:
        return f"{url_prefix(translation.get_language() or settings.LANGUAGE_CODE)}/"


def language_prefix_patterns(*urls) -> list[URLResolver]:
    """Like ``i18n_patterns``, with our prefixes (root URLconf only)."""
    return [URLResolver(LanguagePrefixPattern(), list(urls))]


class LanguageMiddleware:
    """Activate the language of the address, else of the visitor's choice, else of the browser.

    Replaces Django's ``LocaleMiddleware`` (same place: after sessions, before
    ``CommonMiddleware``, whose slash redirects resolve prefixed paths in the
    active language). It never redirects: the unprefixed addresses of pages
    are a view of their own (``portal.views.page_in_reader_language``), so an
    unknown address stays a 404 rather than bouncing to a prefixed one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from_path = language_from_path(request.path_info)
        language = from_path or translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        request.language_from_path = from_path
        response = self.get_response(request)
        if not from_path:
            # Same address, different language by cookie or browser.
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
