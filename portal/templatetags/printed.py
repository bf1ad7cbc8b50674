"""Dates as letters and reports print them, in the language of the document.

``{{ value|printed_date }}``, ``{{ value|printed_datetime }}`` and
``{{ value|printed_short_datetime }}`` use the active language's own formats
(Django's locale formats: "Ngày 5 tháng 9 năm 2026", "2026年9月5日", "5 ខែ
កញ្ញា ឆ្នាំ 2026"), never a format fixed in the template, which would print
"5 September 2026" in every language's letter.

In Thai the year is the Buddhist Era's (2569 for 2026): Thai government
letters are dated that way, and a letter from an agency is one of them.
Only the year changes; day and month are Django's Thai formats.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django import template
from django.utils import formats, timezone, translation

register = template.Library()

BUDDHIST_ERA_OFFSET = 543
BUDDHIST_ERA_LANGUAGES = frozenset({"th"})
# Django's English formats are American ("Nov. 5, 2026"); Suara's letters
# have always been dated day first, as the region's English-language letters are.
HOUSE_FORMATS = {
    "en": {"DATE_FORMAT": "j F Y", "DATETIME_FORMAT": "j F Y, H:i", "SHORT_DATETIME_FORMAT": "j M Y, H:i"},
}


def printed(value: date | datetime | None, format_name: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    language = (translation.get_language() or "").split("-")[0]
    text = formats.date_format(value, HOUSE_FORMATS.get(language, {}).get(format_name, format_name))
    if language in BUDDHIST_ERA_LANGUAGES:
        text = re.sub(rf"(?<!\d){value.year}(?!\d)", str(value.year + BUDDHIST_ERA_OFFSET), text, count=1)
    return text


@register.filter
def printed_date(value):
    return printed(value, "DATE_FORMAT")


@register.filter
def printed_datetime(value):
    return printed(value, "DATETIME_FORMAT")


@register.filter
def printed_short_datetime(value):
    return printed(value, "SHORT_DATETIME_FORMAT")
