"""The error pages speak the reader's language, even the 500 page, which has no request context."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpResponse
from django.test import Client
from django.urls import path
from django.views.decorators.csrf import csrf_protect

from portal import urls as portal_urls
from tests import pseudo
from tests.pseudo import in_pseudo_locale, pseudo_locale  # noqa: F401 (fixtures)


def _broken(request):
    raise RuntimeError("a bug")


def _refused(request):
    raise PermissionDenied


def _unreadable(request):
    raise SuspiciousOperation("crafted")


@csrf_protect
def _form(request):
    return HttpResponse("sent")


urlpatterns = [
    path("broken/", _broken),
    path("refused/", _refused),
    path("unreadable/", _unreadable),
    path("form/", _form),
    # The 403 page is a whole page of the portal: its header links to the portal's addresses.
    *portal_urls.urlpatterns,
]


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


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("address", "method", "status", "heading"),
    [
        ("/form/", "post", 403, "This form has expired"),
        ("/refused/", "get", 403, "You may not open this page"),
        ("/unreadable/", "get", 400, "This request could not be read"),
    ],
)
def test_a_refused_form_a_refused_page_and_a_crafted_request_are_explained_in_the_readers_language(
    in_pseudo_locale,  # noqa: F811 (a fixture)
    settings,
    address,
    method,
    status,
    heading,
):
    """Django's own versions of these pages are English only ("CSRF verification failed")."""
    settings.ROOT_URLCONF = __name__
    client = Client(
        enforce_csrf_checks=True, raise_request_exception=False, headers={"accept-language": in_pseudo_locale}
    )
    response = getattr(client, method)(address)
    html = response.content.decode()
    assert response.status_code == status
    assert f'lang="{in_pseudo_locale}"' in html and pseudo.pseudo(heading) in html
    assert "CSRF" not in html and "Forbidden" not in html and "Bad Request" not in html
