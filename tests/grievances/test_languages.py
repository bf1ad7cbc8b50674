"""The complainant's language follows the case: recorded at lodging, changeable, and spoken in every notice."""

import io
from unittest import mock

import pytest
from django import forms
from django.core import mail
from django.utils import formats, timezone, translation
from pypdf import PdfReader

from grievances import events, letters, notifications, services
from grievances.live import payloads as live
from grievances.models import CaseEvent, Category, Grievance, Region
from portal.lib import realtime
from tests.grievances.conftest import move_to
from tests.grievances.test_lodge import form_data, run_tasks
from tests.languages import thirteen_languages

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("thirteen")]

SSO_TH = "สำนักงานประกันสังคม"
CATEGORY_TH = "ไม่ได้รับเงิน"
THEME_TH = "การจ่ายเงิน"


@pytest.fixture
def thirteen():
    with thirteen_languages():
        yield


@pytest.fixture
def thai_names(category, agency):
    agency.names = {"th": SSO_TH}
    agency.save()
    category.names = {"th": CATEGORY_TH}
    category.save()
    category.parent.names = {"th": THEME_TH}
    category.parent.save()
    return category


def lodge(category, **fields):
    defaults = {
        "category": category,
        "description": "เงินเดือนตุลาคมไม่เข้าบัญชี",
        "contact_preference": Grievance.Contact.EMAIL,
        "contact_email": "somsri@example.org",
        "contact_phone": "+66 81 234 5678",
    }
    return services.grievance_lodge(**{**defaults, **fields})


# --- recorded at lodging ------------------------------------------------------------------


def test_the_web_form_records_the_interface_language(client, category):
    response = client.post("/grievances/new/", form_data(category), HTTP_ACCEPT_LANGUAGE="th")
    assert response.status_code == 302, response.content.decode()[:2000]
    grievance = Grievance.objects.get()
    assert grievance.language == "th" and grievance.lodged_language == "th"


def test_a_form_error_comes_in_the_persons_language(client, category):
    response = client.post("/grievances/new/", form_data(category, description=""), HTTP_ACCEPT_LANGUAGE="th")
    assert response.status_code == 200
    assert '<html lang="th"' in response.content.decode()
    with translation.override("th"):
        required = str(forms.Field.default_error_messages["required"])
    assert required in response.content.decode()
    assert not Grievance.objects.exists()


def test_the_service_refuses_a_language_the_portal_does_not_offer(category):
    with pytest.raises(Exception) as refused:
        lodge(category, language="xx")
    assert "language" in str(refused.value)
    assert not Grievance.objects.exists()


# --- changed later by the complainant ------------------------------------------------------


def test_the_complainant_changes_the_language_from_the_case_page_and_it_goes_on_the_timeline(tracked_client, lodged):
    grievance = lodged.grievance
    page = tracked_client.get(grievance.get_absolute_url()).content.decode()
    assert f'action="/grievances/{grievance.reference}/language/"' in page
    response = tracked_client.post(f"/grievances/{grievance.reference}/language/", {"language": "vi"})
    assert response.status_code == 302
    grievance.refresh_from_db()
    assert grievance.language == "vi"
    # What it was written in stays what it was.
    assert grievance.description_language == "en"
    event = grievance.events.get(kind=CaseEvent.Kind.LANGUAGE_CHANGED)
    assert event.public and event.by_complainant
    assert event.payload["from"] == "en" and event.payload["to"] == "vi"
    assert event.body == "Tiếng Việt"


def test_a_language_not_offered_is_refused_on_the_case_page(tracked_client, lodged):
    response = tracked_client.post(f"/grievances/{lodged.grievance.reference}/language/", {"language": "xx"})
    assert response.status_code == 400
    lodged.grievance.refresh_from_db()
    assert lodged.grievance.language == "en"
    assert not lodged.grievance.events.filter(kind=CaseEvent.Kind.LANGUAGE_CHANGED).exists()


def test_nobody_without_the_pin_or_ownership_changes_the_language(client, lodged):
    response = client.post(f"/grievances/{lodged.grievance.reference}/language/", {"language": "vi"})
    assert response.status_code in (302, 403, 404)
    lodged.grievance.refresh_from_db()
    assert lodged.grievance.language == "en"


# --- everything the complainant receives comes in the case's language ------------------------


@pytest.mark.parametrize(("case_language", "officer_language"), [("th", "en"), ("en", "th")])
def test_the_acknowledgement_is_in_the_cases_language_whatever_the_officers(
    thai_names, monkeypatch, case_language, officer_language
):
    texted = []
    monkeypatch.setattr(
        notifications, "send_sms", lambda phone, body: texted.append(translation.get_language()) or True
    )
    with translation.override(officer_language):
        grievance = lodge(thai_names, language=case_language).grievance
        run_tasks()
    [email] = mail.outbox
    with translation.override(case_language):
        due = formats.date_format(grievance.resolve_due, "j F Y")
    assert due in email.body
    if case_language == "th":
        assert SSO_TH in email.body and "Social Security Office" not in email.body
    else:
        assert "Social Security Office" in email.body and SSO_TH not in email.body
    assert texted == [case_language]


def test_the_outcome_letter_is_in_thai_while_the_officer_reads_english(thai_names):
    grievance = lodge(thai_names, language="th").grievance
    move_to(grievance, "resolved")
    grievance.refresh_from_db()
    with translation.override("en"):
        pdf, _code = letters.letter_render(grievance)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert CATEGORY_TH in text
    # (Text extraction maps the Thai vowel after SARA AM oddly, so the agency is checked by its absence in English.)
    assert "Social Security Office" not in text and "Payment not received" not in text
    assert letters.letter_language(grievance) == "th"


def test_the_letter_follows_the_case_not_the_accounts_interface_preference(thai_names, beneficiary):
    beneficiary.preferred_language = "en"
    beneficiary.save()
    grievance = lodge(
        thai_names, language="th", complainant=beneficiary, contact_preference=Grievance.Contact.ACCOUNT
    ).grievance
    assert letters.letter_language(grievance) == "th"


def test_words_the_portal_writes_into_the_timeline_are_in_the_cases_language(thai_names, officer, other_agency):
    other_agency.names = {"th": "กรมสวัสดิการและคุ้มครองแรงงาน"}
    other_agency.save()
    grievance = lodge(thai_names, language="th").grievance
    acknowledged = grievance.events.get(kind=CaseEvent.Kind.ACKNOWLEDGED)
    assert acknowledged.actor_label == SSO_TH
    with translation.override("en"):
        referral = services.grievance_refer(
            grievance=grievance, user=officer, to_agency=other_agency, reasons="Labour matter", version=1
        )
    event = grievance.events.get(kind=CaseEvent.Kind.REFERRED)
    assert "กรมสวัสดิการและคุ้มครองแรงงาน" in event.body
    assert referral.to_agency == other_agency


def test_the_complainants_own_words_carry_their_language(thai_names):
    grievance = lodge(thai_names, language="th").grievance
    event = services.grievance_reply(grievance=grievance, body="ส่งสำเนาสมุดบัญชีมาให้แล้ว")
    assert event.payload["language"] == "th"


# --- live updates: each reader in their own language ---------------------------------------


def test_a_thai_complainant_gets_thai_updates_while_the_officer_gets_english(thai_names, officer):
    grievance = lodge(thai_names, language="th").grievance
    realtime.mark_listening(live.case_group(grievance.pk, "public", "th"))
    realtime.mark_listening(live.case_group(grievance.pk, "staff", "en"))
    first = services.grievance_message(grievance=grievance, user=officer, body="ได้รับแล้ว", version=grievance.version)
    with (
        mock.patch.object(live, "public_payload", wraps=live.public_payload) as public,
        mock.patch.object(live, "staff_payload", wraps=live.staff_payload) as staff,
    ):
        deliveries = {group: payload for group, _event, payload in live.case_deliveries(grievance.pk, first.pk)}
    # Readers in one language each: each side rendered once.
    assert public.call_count == 1 and staff.call_count == 1
    thai = deliveries[live.case_group(grievance.pk, "public", "th")]
    english = deliveries[live.case_group(grievance.pk, "staff", "en")]
    assert live.case_group(grievance.pk, "public", "en") not in deliveries
    when = timezone.localtime(first.created_at)
    with translation.override("th"):
        thai_date = formats.date_format(when, "j M Y")
    with translation.override("en"):
        english_date = formats.date_format(when, "j M Y")
    assert thai_date in thai["events"][0]["html"] and english_date not in thai["events"][0]["html"]
    assert english_date in english["events"][0]["html"] and thai_date not in english["events"][0]["html"]


def test_a_change_is_rendered_once_per_language_read_not_once_per_language_offered(thai_names, officer):
    grievance = lodge(thai_names, language="th").grievance
    for language in ("th", "vi"):
        realtime.mark_listening(live.case_group(grievance.pk, "public", language))
    first = services.grievance_message(grievance=grievance, user=officer, body="ได้รับแล้ว", version=grievance.version)
    with mock.patch.object(live, "public_payload", wraps=live.public_payload) as public:
        groups = [group for group, _e, _p in live.case_deliveries(grievance.pk, first.pk)]
    assert public.call_count == 2
    assert {g for g in groups if ".public." in g} == {
        live.case_group(grievance.pk, "public", "th"),
        live.case_group(grievance.pk, "public", "vi"),
    }


def test_queue_rows_are_rendered_in_the_officers_language_with_the_category_named_in_it(thai_names, agency):
    grievance = lodge(thai_names, language="th").grievance
    realtime.mark_listening(live.queue_group(agency.pk, language="th"))
    deliveries = {group: payload for group, _e, payload in live.case_deliveries(grievance.pk, 1)}
    row = deliveries[live.queue_group(agency.pk, language="th")]
    assert CATEGORY_TH in row["html"]
    assert live.queue_group(agency.pk, language="en") not in deliveries


def test_with_nobody_listening_nothing_is_rendered(thai_names, officer, agency):
    grievance = lodge(thai_names, language="th").grievance
    first = services.grievance_message(grievance=grievance, user=officer, body="ได้รับแล้ว", version=grievance.version)
    with (
        mock.patch.object(live, "public_payload", wraps=live.public_payload) as public,
        mock.patch.object(live, "staff_payload", wraps=live.staff_payload) as staff,
        mock.patch.object(live, "queue_row_payload", wraps=live.queue_row_payload) as rows,
    ):
        assert live.case_deliveries(grievance.pk, first.pk) == []
    assert public.call_count == staff.call_count == rows.call_count == 0


def test_when_the_cache_cannot_say_who_listens_the_cases_and_the_default_language_are_rendered(
    thai_names, officer, monkeypatch
):
    grievance = lodge(thai_names, language="th").grievance
    first = services.grievance_message(grievance=grievance, user=officer, body="ได้รับแล้ว", version=grievance.version)
    monkeypatch.setattr(realtime, "listening", lambda groups: None)
    groups = {group for group, _e, _p in live.case_deliveries(grievance.pk, first.pk)}
    assert live.case_group(grievance.pk, "public", "th") in groups
    assert live.case_group(grievance.pk, "public", "en") in groups
    assert live.case_group(grievance.pk, "staff", "en") in groups


def test_the_readers_language_is_one_the_portal_offers():
    assert live.reader_language("zh-Hans", "en") == "zh-hans"
    assert live.reader_language("th-TH") == "th"
    assert live.reader_language("xx", "vi") == "vi"
    assert live.reader_language("", "") == "en"


# --- reference data in every language --------------------------------------------------------


def test_reference_data_is_named_in_the_active_language_and_falls_back_to_the_default(thai_names, agency):
    region = Region.objects.create(name="Chiang Mai", code="cnx", names={"th": "เชียงใหม่", "zh": "清迈"})
    with translation.override("th"):
        assert str(thai_names) == f"{THEME_TH} → {CATEGORY_TH}"
        assert str(agency) == SSO_TH and str(region) == "เชียงใหม่"
    with translation.override("vi"):
        assert str(thai_names) == "Payments → Payment not received"
        assert str(agency) == "Social Security Office" and str(region) == "Chiang Mai"
    with translation.override("zh-hans"):
        assert region.localized_name == "清迈"


def test_the_lodging_form_offers_categories_in_the_interface_language(client, thai_names):
    page = client.get("/grievances/new/", HTTP_ACCEPT_LANGUAGE="th").content.decode()
    assert CATEGORY_TH in page and f'label="{THEME_TH}"' in page


def test_the_complainant_page_marks_the_description_with_its_language(tracked_client, lodged):
    page = tracked_client.get(lodged.grievance.get_absolute_url()).content.decode()
    assert 'dir="auto" lang="en"' in page


def test_categories_keep_their_descriptions_per_language(category):
    category.description = "Money that should have arrived did not."
    category.descriptions = {"th": "เงินที่ควรได้รับไม่เข้าบัญชี"}
    category.save()
    fresh = Category.objects.get(pk=category.pk)
    with translation.override("th"):
        assert fresh.localized_description == "เงินที่ควรได้รับไม่เข้าบัญชี"
    with translation.override("id"):
        assert fresh.localized_description == "Money that should have arrived did not."


def test_a_case_just_lodged_is_rendered_for_the_queues_only(thai_names, agency):
    # Nobody can be reading a case that did not exist before this change; its
    # page's socket joins after the page and catches up from the page's last event.
    realtime.mark_listening(live.queue_group(agency.pk, language="en"))
    announced, real_announce = [], events.announce
    with mock.patch.object(events, "announce", side_effect=lambda *a, **k: announced.append(real_announce(*a, **k))):
        grievance = lodge(thai_names, language="th").grievance
    with (
        mock.patch.object(live, "public_payload", wraps=live.public_payload) as public,
        mock.patch.object(live, "staff_payload", wraps=live.staff_payload) as staff,
    ):
        change = announced[-1]
        assert change.new_case
        groups = [group for group, _e, _p in live.case_deliveries(grievance.pk, change.event_id, new_case=True)]
    assert public.call_count == 0 and staff.call_count == 0
    assert groups == [live.queue_group(agency.pk, language="en")]
