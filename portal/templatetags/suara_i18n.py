"""The language of a page: its translations (hreflang) and a note when it is shown in another language."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.html import format_html

from portal.lib.i18n import split_language_prefix, with_language_prefix

register = template.Library()


def content_language(page) -> str:
    """The language a page's words are in: an alias (an untranslated copy in a locale) shows its original's."""
    source = page.alias_of if page.alias_of_id else page
    return source.locale.language_code


def hreflang(language_code: str) -> str:
    """BCP 47 for ``hreflang`` and ``lang``: ``zh-hans`` → ``zh-Hans``."""
    return translation.to_locale(language_code).replace("_", "-")


@register.simple_tag(takes_context=True)
def page_alternates(context, page) -> list[dict]:
    """The addresses of ``page`` in each language it is translated into, and the ``x-default`` one.

    Only real translations are listed (not aliases, which repeat the original's
    words); ``x-default`` is the unprefixed address, which sends each reader on
    in their own language. Empty on a page's sub-pages (a consultation's
    results, a response form): those are not offered per language.
    """
    request = context.get("request")
    if request is None or not getattr(page, "pk", None):
        return []
    _language, request_rest = split_language_prefix(request.path)
    own_url = page.get_url(request)
    if own_url is None:
        return []
    _language, own_rest = split_language_prefix(own_url)
    if request_rest != own_rest and request_rest.startswith(own_rest):
        return []
    offered = dict(settings.LANGUAGES)
    translations = (
        page.get_translations(inclusive=True)
        .live()
        .filter(alias_of__isnull=True)
        .select_related("locale")
        .order_by("locale__language_code")
    )
    alternates = [
        {"hreflang": hreflang(t.locale.language_code), "href": request.build_absolute_uri(t.get_url(request))}
        for t in translations
        if t.locale.language_code in offered
    ]
    if alternates:
        alternates.append({"hreflang": "x-default", "href": request.build_absolute_uri(own_rest)})
    return alternates


@register.inclusion_tag("portal/includes/page_language_note.html", takes_context=True)
def page_language_note(context, page) -> dict:
    """'This page is not yet available in ไทย; it is shown in English.', when the page's words are not the reader's."""
    reader = translation.get_language()
    if not getattr(page, "pk", None):
        return {"show": False}
    shown_in = content_language(page)
    if shown_in == reader:
        return {"show": False}
    names = dict(settings.LANGUAGES)
    # Each language named in itself, marked with its own lang for screen readers.
    return {
        "show": True,
        "reader_language": format_html('<span lang="{}">{}</span>', hreflang(reader), names.get(reader, reader)),
        "page_language": format_html('<span lang="{}">{}</span>', hreflang(shown_in), names.get(shown_in, shown_in)),
    }


@register.filter
def in_reader_language(path: str) -> str:
    """A page's unprefixed address under the active language's prefix (saves the reader a redirect)."""
    return with_language_prefix(path, translation.get_language() or settings.LANGUAGE_CODE)
