"""The error pages speak the reader's language, even the 500 page, which has no request context."""

import pytest
from django.test import Client
from django.urls import path

from tests import pseudo
from tests.pseudo import in_pseudo_locale, pseudo_locale  # noqa: F401 (fixtures)


def _broken(request):
    raise RuntimeError("a bug")


urlpatterns = [path("broken/", _broken)]


@pytest.mark.django_db
def test_the_500_page_is_in_the_language_of_the_request(in_pseudo_locale, settings):  # noqa: F811
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False, headers={"accept-language": in_pseudo_locale})
    response = client.get("/broken/")
    html = response.content.decode()
    assert response.status_code == 500
    assert f'<html lang="{in_pseudo_locale}" dir="ltr">' in html
    for english in ("Something went wrong on our side", "Home page"):
        assert pseudo.pseudo(english) in html
    assert "Something went wrong" not in html.replace(pseudo.pseudo("Something went wrong"), "")


@pytest.mark.django_db
def test_the_500_page_is_right_to_left_for_a_right_to_left_language(settings):
    settings.LANGUAGES = [("en", "English"), ("ur", "اردو")]
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False, headers={"accept-language": "ur"})
    html = client.get("/broken/").content.decode()
    assert '<html lang="ur" dir="rtl">' in html
