"""Choosing a language, and the addresses of pages in each (portal.lib.i18n, portal.views)."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale

from home.models import StandardPage
from portal.lib.i18n import language_from_path, split_language_prefix, with_language_prefix
from portal.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

THAI_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "th-TH,th;q=0.9,en;q=0.5"}


def html_of(response) -> str:
    return response.content.decode()


def translate_page(page, language: str, **fields):
    """A published translation of ``page`` (parents made aliases where they have none)."""
    translated = page.copy_for_translation(Locale.objects.get(language_code=language), copy_parents=True)
    for name, value in fields.items():
        setattr(translated, name, value)
    translated.save()
    translated.save_revision().publish()
    return translated


@pytest.fixture
def about(home_page):
    page = home_page.add_child(instance=StandardPage(title="About Suara", slug="about", intro="Who we are"))
    page.save_revision().publish()
    return page


# --- the languages --------------------------------------------------------------------


def test_thirteen_languages_each_named_in_itself_with_django_knowing_every_one():
    codes = [code for code, _name in settings.LANGUAGES]
    assert codes == ["en", "id", "ms", "th", "vi", "km", "lo", "my", "fil", "zh-hans", "bn", "ne", "ur"]
    names = dict(settings.LANGUAGES)
    assert names["th"] == "ไทย" and names["km"] == "ខ្មែរ" and names["ur"] == "اردو" and names["lo"] == "ລາວ"
    for code in codes:
        info = translation.get_language_info(code)  # raises KeyError for a language Django does not know
        assert info["bidi"] is (code == "ur")
    assert settings.WAGTAIL_CONTENT_LANGUAGES == settings.LANGUAGES
    assert set(Locale.objects.values_list("language_code", flat=True)) >= set(codes)


def test_burmese_has_its_own_prefix_and_my_is_never_a_language():
    assert language_from_path("/mya/consultations/") == "my"
    assert language_from_path("/my/") is None
    assert language_from_path("/th") == "th"
    assert split_language_prefix("/zh-hans/consultations/x/") == ("zh-hans", "/consultations/x/")
    assert with_language_prefix("/th/consultations/", "my") == "/mya/consultations/"
    assert with_language_prefix("/", "ur") == "/ur/"


# --- choosing ---------------------------------------------------------------------------


def test_the_browser_language_is_used_on_the_first_visit(client, home_page):
    html = html_of(client.get("/grievances/new/", **THAI_BROWSER))
    assert '<html lang="th" dir="ltr">' in html
    response = client.get("/", **THAI_BROWSER)
    assert response.status_code == 302 and response["Location"] == "/th/"
    assert "Accept-Language" in response["Vary"]


def test_the_switcher_is_in_the_header_and_works_without_javascript(client, home_page):
    html = html_of(client.get("/en/"))
    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    assert '<details class="language-switch">' in header
    assert f'action="{reverse("set_language")}" method="post"' in header
    assert '<input name="next" type="hidden" value="/en/">' in header
    assert '<button type="submit" name="language" value="th" lang="th">ไทย</button>' in header
    assert '<button type="submit" name="language" value="ur" lang="ur">اردو</button>' in header
    assert 'value="en" lang="en" aria-current="true">English</button>' in header
    assert len(re.findall(r'<button type="submit" name="language"', header)) == 13
    assert "<script" not in html

    response = client.post("/i18n/setlang/", {"language": "vi", "next": "/grievances/track/"})
    assert response.status_code == 302 and response["Location"] == "/grievances/track/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "vi"
    # The choice sticks (a cookie), over the browser's wish.
    assert '<html lang="vi" dir="ltr">' in html_of(client.get("/grievances/track/", **THAI_BROWSER))


def test_switching_on_a_prefixed_page_moves_to_the_same_page_in_the_chosen_language(client, home_page):
    response = client.post("/i18n/setlang/", {"language": "my", "next": "/th/consultations/?topic=x"})
    assert response["Location"] == "/mya/consultations/?topic=x"


def test_the_switch_refuses_other_sites_and_unknown_languages(client, home_page):
    response = client.post("/i18n/setlang/", {"language": "th", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/statistics/"})
    assert response["Location"] == "/statistics/" and settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_switching_while_signed_in_updates_the_preferred_language(client, beneficiary):
    client.force_login(beneficiary)
    client.post("/i18n/setlang/", {"language": "km", "next": "/my/"})
    beneficiary.refresh_from_db()
    assert beneficiary.preferred_language == "km"


def test_signing_in_applies_the_preferred_language_over_browser_and_cookie(client, beneficiary):
    beneficiary.preferred_language = "ur"
    beneficiary.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    client.force_login(beneficiary)
    html = html_of(client.get("/my/", **THAI_BROWSER))
    assert '<html lang="ur" dir="rtl">' in html


def test_signing_in_through_the_form_lands_in_the_preferred_language(client, beneficiary, home_page):
    beneficiary.preferred_language = "th"
    beneficiary.save()
    response = client.post(
        reverse("account_login"),
        {"login": beneficiary.email, "password": "correct horse battery"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert response.redirect_chain[-1][0] == "/my/"
    assert '<html lang="th" dir="ltr">' in html_of(response)


def test_signing_up_records_the_language_signed_up_in(client, home_page):
    client.post(
        reverse("account_signup"),
        {"email": "somchai@example.org", "password1": "a long pass phrase", "password2": "a long pass phrase"},
        HTTP_ACCEPT_LANGUAGE="km",
    )
    assert User.objects.get(email="somchai@example.org").preferred_language == "km"


def test_the_preferred_language_yields_to_a_prefixed_address(client, beneficiary, home_page):
    beneficiary.preferred_language = "ur"
    beneficiary.save()
    client.force_login(beneficiary)
    assert '<html lang="th" dir="ltr">' in html_of(client.get("/th/"))


# --- addresses --------------------------------------------------------------------------


def test_a_thai_address_renders_thai_left_to_right_and_an_urdu_one_right_to_left(client, home_page):
    assert '<html lang="th" dir="ltr">' in html_of(client.get("/th/"))
    assert '<html lang="ur" dir="rtl">' in html_of(client.get("/ur/"))
    assert client.get("/th/")["Content-Language"] == "th"


def test_hreflang_alternates_name_each_translation_and_the_default(client, home_page):
    translate_page(home_page, "th", title="สุอารา", intro="ยินดีต้อนรับ")
    html = html_of(client.get("/en/"))
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))
    assert alternates == {
        "en": "http://testserver/en/",
        "th": "http://testserver/th/",
        "x-default": "http://testserver/",
    }
    # The Thai page lists the same set: a shared link leads to either.
    html = html_of(client.get("/th/"))
    assert dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html)) == alternates


def test_my_is_the_personal_page_while_the_burmese_home_is_at_mya(client, home_page, beneficiary):
    response = client.get("/my/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    home = client.get("/mya/")
    assert home.status_code == 200
    assert '<html lang="my" dir="ltr">' in html_of(home)
    client.force_login(beneficiary)
    personal = client.get("/my/", HTTP_ACCEPT_LANGUAGE="my")
    assert personal.status_code == 200 and personal.templates[0].name == "portal/my.html"
    # Burmese chosen (cookie): /my/ is still the personal page, in Burmese.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "my"
    beneficiary.preferred_language = "my"
    beneficiary.save()
    personal = client.get("/my/")
    assert personal.templates[0].name == "portal/my.html" and '<html lang="my"' in html_of(personal)


def test_an_unprefixed_page_address_goes_once_to_the_reader_language_and_never_loops(client, home_page, about):
    response = client.get("/about/?utm=poster", follow=True, **THAI_BROWSER)
    assert response.redirect_chain == [("/th/about/?utm=poster", 302)]
    assert response.status_code == 200
    response = client.get("/no-such-page/", follow=True)
    assert response.redirect_chain == [("/en/no-such-page/", 302)] and response.status_code == 404
    assert client.get("/th/no-such-page/").status_code == 404


@pytest.mark.parametrize(
    ("address", "status"),
    [
        ("/grievances/new/", 200),
        ("/grievances/track/", 200),
        ("/statistics/", 200),
        ("/healthz", 200),
        ("/api/v1/openapi.json", 200),
        ("/my/", 302),
        ("/workspace/", 302),
    ],
)
def test_the_public_addresses_on_posters_work_unprefixed_in_any_language(client, home_page, address, status):
    response = client.get(address, **THAI_BROWSER)
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("account_login"))
    if address.endswith("/") and status == 200:
        assert '<html lang="th"' in html_of(response)


# --- a page not yet translated ------------------------------------------------------------


def test_an_untranslated_page_shows_the_original_with_a_note_in_the_reader_language(client, home_page, about):
    response = client.get("/th/about/")
    assert response.status_code == 200
    html = html_of(response)
    assert '<html lang="th" dir="ltr">' in html and "About Suara" in html
    assert 'class="language-note"' in html
    assert '<span lang="th">ไทย</span>' in html and '<span lang="en">English</span>' in html
    # In its own language the page has no note.
    assert 'class="language-note"' not in html_of(client.get("/en/about/"))


def test_an_untranslated_page_under_a_translated_home_falls_back_too(client, home_page, about):
    translate_page(home_page, "th", title="สุอารา")
    response = client.get("/th/about/")
    assert response.status_code == 200 and 'class="language-note"' in html_of(response)


def test_a_translation_under_another_slug_is_found_from_the_original_address(client, home_page, about):
    translate_page(about, "th", title="เกี่ยวกับสุอารา", slug="kiao-kap")
    response = client.get("/th/about/")
    assert response.status_code == 302 and response["Location"] == "/th/kiao-kap/"
    html = html_of(client.get("/th/kiao-kap/"))
    assert "เกี่ยวกับสุอารา" in html and 'class="language-note"' not in html


# --- the editors' side --------------------------------------------------------------------


def test_the_translation_workflow_loads_for_a_superuser(client, home_page, about):
    admin = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(admin, generate_totp_secret())
    client.force_login(admin)
    assert client.get(reverse("wagtaillocales:index")).status_code == 200
    submit = reverse("wagtail_localize:submit_page_translation", args=[about.pk])
    assert client.get(submit).status_code == 200
    thai = Locale.objects.get(language_code="th")
    response = client.post(submit, {"locales": [thai.pk], "include_subtree": False})
    assert response.status_code == 302
    translated = about.get_translation(thai)
    # The translated page's edit view is wagtail-localize's translation editor.
    editor = client.get(reverse("wagtailadmin_pages:edit", args=[translated.pk]))
    assert editor.status_code == 200 and b"translation" in editor.content.lower()
