"""The complainant's pages in their language: dates by the language's own format, not a fixed English one."""

import re

import pytest
from django.core import mail
from django.utils import translation
from django.utils.dates import MONTHS
from django.utils.formats import date_format

from grievances.models import Grievance
from grievances.notifications import send_acknowledgement
from grievances.pins import PIN_SEAL_PURPOSE
from portal.lib.sealed import seal

pytestmark = pytest.mark.django_db

THAI = [("en", "English"), ("th", "ไทย")]


def test_dates_on_the_case_page_are_in_the_readers_language(settings, tracked_client, lodged):
    settings.LANGUAGES = THAI
    grievance = lodged.grievance
    Grievance.objects.filter(pk=grievance.pk).update(language="th")
    tracked_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    html = tracked_client.get(grievance.get_absolute_url(), headers={"accept-language": "th"}).content.decode()
    with translation.override("th"):
        thai_month = str(MONTHS[grievance.resolve_due.month])
        expected = date_format(grievance.resolve_due, "DATE_FORMAT")
    assert thai_month in html and expected in html
    english_month = MONTHS[grievance.resolve_due.month]
    with translation.override("en"):
        assert str(english_month) not in html


def test_dates_follow_the_languages_own_order(settings, tracked_client, lodged):
    # Chinese writes year, month, day ("2026年11月30日"): a fixed "j F Y" would not.
    settings.LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
    due = lodged.grievance.resolve_due
    html = tracked_client.get(lodged.grievance.get_absolute_url(), headers={"accept-language": "zh-hans"})
    assert f"{due.year}年{due.month}月{due.day}日" in html.content.decode()


def test_english_dates_keep_the_day_month_year_order(tracked_client, lodged):
    due = lodged.grievance.resolve_due
    html = tracked_client.get(lodged.grievance.get_absolute_url()).content.decode()
    assert f"{due.day} {due:%B} {due.year}" in html


def test_the_acknowledgement_e_mail_dates_follow_the_grievances_language(settings, lodged):
    settings.LANGUAGES = THAI
    grievance = lodged.grievance
    Grievance.objects.filter(pk=grievance.pk).update(language="th", contact_email="malee@example.org")
    send_acknowledgement.call(grievance.pk, seal(lodged.pin, purpose=PIN_SEAL_PURPOSE))
    with translation.override("th"):
        expected = date_format(grievance.resolve_due, "DATE_FORMAT")
    assert expected in mail.outbox[-1].body


def _input_is_left_to_right(html: str, name: str) -> bool:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    return tag is not None and 'dir="ltr"' in tag.group(0)


def test_phone_email_reference_and_pin_are_typed_left_to_right(client, settings):
    settings.LANGUAGES = [("en", "English"), ("ur", "اردو")]
    lodge = client.get("/grievances/new/", headers={"accept-language": "ur"}).content.decode()
    assert 'dir="rtl"' in lodge[:300]
    assert _input_is_left_to_right(lodge, "contact_phone") and _input_is_left_to_right(lodge, "contact_email")
    track = client.get("/grievances/track/", headers={"accept-language": "ur"}).content.decode()
    assert _input_is_left_to_right(track, "reference") and _input_is_left_to_right(track, "pin")
