"""A consultation in several languages is one consultation: one set of responses, listed once per index."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from wagtail.models import Locale

from consultations.models import (
    ConsultationFollow,
    ConsultationPage,
    OrganizationIndexPage,
    OrganizationPage,
    Response,
)
from consultations.services import consultation_notices_schedule, organization_section_ensure
from tests.consultations.conftest import Q, form_data
from tests.factories import hostile_questions

pytestmark = pytest.mark.django_db


def in_thai(page, **fields):
    translated = page.copy_for_translation(Locale.objects.get(language_code="th"), copy_parents=True)
    translated.title = fields.get("title", "การรับฟังความคิดเห็นทดสอบ")
    translated.save()
    translated.save_revision().publish()
    return type(page).objects.get(pk=translated.pk)


def test_a_response_through_a_translation_belongs_to_the_consultation(client, consultation, beneficiary):
    thai = in_thai(consultation)
    assert thai.source == consultation and consultation.source == consultation
    client.force_login(beneficiary)
    page = client.get(thai.url)
    assert page.status_code == 200 and "การรับฟังความคิดเห็นทดสอบ" in page.content.decode()
    assert thai.url.startswith("/th/")
    form = client.get(thai.url + "respond/")
    assert form.status_code == 200 and f'href="{thai.url}"' in form.content.decode()  # links stay in Thai
    response = client.post(thai.url + "respond/", form_data())
    assert response.status_code == 302 and response["Location"].startswith(thai.url)
    answer = Response.objects.get()
    assert answer.consultation_id == consultation.pk
    # Read in English or in Thai, the reader's own response is there.
    assert client.get(thai.url).context["own_responses"] == [answer]
    assert client.get(consultation.url).context["own_responses"] == [answer]


def test_following_a_translation_follows_the_consultation(client, consultation, beneficiary):
    thai = in_thai(consultation)
    client.force_login(beneficiary)
    client.post(thai.url + "follow/")
    assert ConsultationFollow.objects.get(user=beneficiary).consultation_id == consultation.pk


def test_notices_go_out_once_per_consultation_not_per_translation(consultation, frozen):
    in_thai(consultation)
    notices = consultation_notices_schedule()
    assert {notice.consultation_id for notice in notices} <= {consultation.pk}


def test_each_index_lists_every_consultation_once_in_its_language_where_translated(client, make_consultation):
    translated = make_consultation("open", title="Pensions for riders")
    untranslated = make_consultation("open", title="Maternity cash")
    thai = in_thai(translated, title="บำนาญสำหรับไรเดอร์")
    html = client.get("/th/consultations/").content.decode()
    links = re.findall(r'<h3><a href="([^"]+)">([^<]+)</a></h3>', html)
    assert (thai.url, "บำนาญสำหรับไรเดอร์") in links
    assert (untranslated.url, "Maternity cash") in links
    assert len(links) == 2
    english = re.findall(r'<h3><a href="([^"]+)">', client.get("/en/consultations/").content.decode())
    assert sorted(english) == sorted([translated.url, untranslated.url])


def test_the_demo_consultation_reads_in_thai_indonesian_and_vietnamese(client, home_page):
    call_command("seed_demo", "--quiet-accounts", stdout=io.StringIO())
    call_command("seed_demo", "--quiet-accounts", stdout=io.StringIO())  # twice: still one translation each
    slug = "digital-wage-payments-platform-workers"
    assert ConsultationPage.objects.filter(slug=slug).count() == 4
    for prefix, title, question in (
        ("th", "การจ่ายค่าจ้างผ่านระบบดิจิทัล", "ช่องทางการจ่ายเงินใดควรเป็นค่าเริ่มต้น"),
        ("id", "Pembayaran upah digital", "Saluran pembayaran mana"),
        ("vi", "Trả lương qua kênh số", "Kênh thanh toán nào nên là mặc định?"),
    ):
        response = client.get(f"/{prefix}/consultations/{slug}/")
        html = response.content.decode()
        assert response.status_code == 200, prefix
        assert f'<html lang="{prefix}"' in html and title in html and 'class="language-note"' not in html
        assert f'hreflang="{prefix}"' in html
        page = ConsultationPage.objects.get(slug=slug, locale__language_code=prefix)
        assert question in str(page.questions.raw_data)
    # The translations share the English page's responses.
    english = ConsultationPage.objects.get(slug=slug, locale__language_code="en")
    assert Response.objects.filter(consultation__slug=slug).exclude(consultation=english).count() == 0


def test_an_organization_section_can_be_translated_but_not_doubled_in_one_language(client, home_page, union):
    index = home_page.add_child(instance=OrganizationIndexPage(title="Organizations", slug="organizations"))
    section = organization_section_ensure(organization=union, index_page=index)
    thai = in_thai(section, title="สหภาพ")
    assert thai.organization == union and client.get(thai.url).status_code == 200
    assert organization_section_ensure(organization=union, index_page=index) == section
    with pytest.raises(ValidationError):
        OrganizationPage(title="Again", slug="again", organization=union, locale=section.locale).clean()


def test_the_form_under_a_translation_asks_in_its_words_and_keeps_the_sources_answers(
    client, consultation, beneficiary
):
    thai = in_thai(consultation)
    questions = hostile_questions()
    single = next(block for block in questions if block["type"] == "single_choice")
    single["value"] = {**single["value"], "question": "ท่านเลือกข้อใด", "options": ["ตัวเลือก ก", "ตัวเลือก ข", "ตัวเลือก ค"]}
    thai.questions = questions
    thai.save_revision().publish()
    client.force_login(beneficiary)
    html = client.get(thai.url + "respond/").content.decode()
    assert "ท่านเลือกข้อใด" in html and "ตัวเลือก ข" in html
    # The option is sent as the source's wording, which is what is stored and counted.
    assert 'value="=B"' in html
    assert client.post(thai.url + "respond/", form_data()).status_code == 302
    assert Response.objects.get().answers[Q["single"]] == "=B"
    # Read in English, the same consultation asks in English.
    english = client.get(consultation.url + "respond/").content.decode()
    assert "ท่านเลือกข้อใด" not in english and "Single" in english
