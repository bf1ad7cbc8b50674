"""Staff work in their own language and see the complainant's words in theirs, marked with it."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from grievances.models import Grievance, Region
from grievances.workspace.views import INTAKE_LANGUAGE_SESSION_KEY
from tests.factories import UserFactory
from tests.grievances.workspace.conftest import lodge
from tests.languages import thirteen_languages

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("thirteen")]


@pytest.fixture
def admin_client(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(admin, generate_totp_secret())
    client.force_login(admin)
    return client


@pytest.fixture
def thirteen():
    with thirteen_languages():
        yield


INTAKE = {
    "channel": "phone",
    "description": "โทรมาแจ้งว่าเงินไม่เข้า",
    "contact_name": "Somsri",
    "contact_phone": "+66 81 111 2222",
    "contact_preference": "phone",
    "confidentiality": "standard",
}


def test_assisted_intake_records_the_language_the_officer_chose_not_their_own(staff_client, officer, category):
    client = staff_client(officer)
    page = client.get("/workspace/intake/").content.decode()
    assert 'name="language"' in page and "ไทย (Thai)" in page
    response = client.post("/workspace/intake/", {**INTAKE, "category": category.pk, "language": "th"})
    assert response.status_code == 302, response.content.decode()[:2000]
    grievance = Grievance.objects.get()
    assert grievance.language == "th"
    # The officer reads English all along; the slip they print is in the person's language.
    assert client.session[INTAKE_LANGUAGE_SESSION_KEY] == "th"
    slip = client.get(response["Location"]).content.decode()
    assert '<html lang="en"' in slip and 'class="card slip" lang="th"' in slip


def test_intake_offers_the_officers_last_choice_first(staff_client, officer, category):
    client = staff_client(officer)
    client.post("/workspace/intake/", {**INTAKE, "category": category.pk, "language": "vi"})
    page = client.get("/workspace/intake/").content.decode()
    assert '<option value="vi" selected>' in page


def test_intake_refuses_a_language_not_offered(staff_client, officer, category):
    response = staff_client(officer).post("/workspace/intake/", {**INTAKE, "category": category.pk, "language": "xx"})
    assert response.status_code == 400
    assert not Grievance.objects.exists()


def test_the_staff_case_page_shows_the_original_words_marked_with_their_language(staff_client, officer, category):
    case = lodge(category, language="th", description="เงินเดือนตุลาคมไม่เข้าบัญชี")
    page = staff_client(officer).get(f"/workspace/cases/{case.reference}/").content.decode()
    assert '<html lang="en"' in page
    assert 'dir="auto" lang="th">' in page and "เงินเดือนตุลาคมไม่เข้าบัญชี" in page
    assert "In the complainant's words, in Thai." in page


def test_queue_rows_name_each_cases_language_in_the_officers(staff_client, officer, agency, category):
    lodge(category, language="vi")
    page = staff_client(officer).get(f"/workspace/queue/{agency.slug}/").content.decode()
    assert 'data-case-language="vi">Vietnamese</span>' in page


def test_the_admin_saves_a_name_per_language_and_leaves_blank_ones_to_fall_back(admin_client):
    form = admin_client.get(reverse("region:add")).content.decode()
    assert 'name="names_th"' in form and 'lang="th"' in form and 'name="names_en"' not in form
    response = admin_client.post(
        reverse("region:add"),
        {"name": "Chiang Mai", "code": "cnx", "names_th": " เชียงใหม่ ", "names_vi": "", "names_id": "Chiang Mai"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Region.objects.get(code="cnx").names == {"th": "เชียงใหม่", "id": "Chiang Mai"}


def test_an_officers_reply_is_marked_with_the_language_it_is_written_in(staff_client, officer, category):
    """The form offers the case's language; the complainant's page marks the reply with it, not the officer's."""
    case = lodge(category, language="th")
    client = staff_client(officer)
    url = f"/workspace/cases/{case.reference}/"
    page = client.get(url).content.decode()
    assert 'name="message-language"' in page and '<option value="th" selected>' in page
    response = client.post(
        url + "message/", {"message-version": case.version, "message-body": "ได้รับเรื่องแล้วค่ะ", "message-language": "th"}
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    event = case.events.get(body="ได้รับเรื่องแล้วค่ะ")
    assert event.payload["language"] == "th"
    staff_page = client.get(url).content.decode()
    assert 'dir="auto" lang="th"><p>ได้รับเรื่องแล้วค่ะ' in staff_page


def test_a_language_the_portal_does_not_offer_is_refused_and_the_text_kept(staff_client, officer, category):
    case = lodge(category)
    client = staff_client(officer)
    url = f"/workspace/cases/{case.reference}/"
    response = client.post(
        url + "message/", {"message-version": case.version, "message-body": "Kept", "message-language": "xx"}
    )
    assert response.status_code == 400
    assert "Kept" in response.content.decode() and not case.events.filter(body="Kept").exists()
