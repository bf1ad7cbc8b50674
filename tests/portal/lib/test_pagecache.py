"""Public pages are stored for visitors who are not signed in, and only what is safe to share."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from home.models import StandardPage
from portal.lib.pagecache import MARKER_HEADER

pytestmark = pytest.mark.django_db


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, len(captured.captured_queries)


@pytest.mark.smoke
def test_an_anonymous_visitor_gets_a_stored_home_page_without_queries(client, home_page):
    first, _ = queries_for(client, "/en/")
    assert first[MARKER_HEADER] == "miss"
    second, queries = queries_for(client, "/en/")
    assert second[MARKER_HEADER] == "hit" and queries == 0
    assert second.content == first.content
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert "csrftoken" not in second.cookies


def test_a_signed_in_person_never_gets_a_stored_page(client, home_page, beneficiary):
    Client().get("/en/")  # someone else fills the cache
    client.force_login(beneficiary)
    response, queries = queries_for(client, "/en/")
    assert MARKER_HEADER not in response and queries > 0
    assert "Sign out" in response.content.decode()


def test_publishing_a_change_is_visible_at_once(client, home_page):
    client.get("/en/")
    home_page.title = "A new title"
    home_page.save_revision().publish()
    response = client.get("/en/")
    assert "A new title" in response.content.decode() and response[MARKER_HEADER] == "miss"


def test_a_new_page_is_reachable_at_once_and_a_deleted_one_gone(client, home_page):
    assert client.get("/en/about/").status_code == 404
    page = home_page.add_child(instance=StandardPage(title="About", slug="about"))
    assert client.get("/en/about/").status_code == 200
    client.get("/en/about/")
    page.delete()
    assert client.get("/en/about/").status_code == 404


def test_private_addresses_are_never_stored(client, home_page):
    for url in ("/grievances/new/", "/grievances/track/", "/accounts/login/", "/healthz"):
        client.get(url)
        assert MARKER_HEADER not in client.get(url), url


def test_a_page_that_used_the_csrf_token_is_not_stored(rf, home_page):
    from django.http import HttpResponse

    from portal.lib.pagecache import _cacheable_response

    request = rf.get("/")
    assert _cacheable_response(request, HttpResponse("ok"))
    request.META["CSRF_COOKIE_USED"] = True
    assert not _cacheable_response(request, HttpResponse("ok"))


def test_the_language_switch_needs_no_token_so_pages_carry_none(home_page):
    client = Client(enforce_csrf_checks=True)
    assert "csrfmiddlewaretoken" not in client.get("/en/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302


def test_the_cache_can_be_turned_off(client, home_page, settings):
    settings.SUARA_PAGE_CACHE_SECONDS = 0
    client.get("/en/")
    assert MARKER_HEADER not in client.get("/en/")
