"""The home page and standard pages: what they say, what they cost, what they allow."""

import re

import pytest
from django.contrib.staticfiles import finders

from home.models import StandardPage
from tests.factories import HOSTILE

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_the_home_page_offers_the_three_ways_in(client, home_page):
    response = client.get("/en/")
    assert response.status_code == 200
    html = response.content.decode()
    for link in (
        'href="/grievances/new/"',
        'href="/grievances/track/"',
        'href="/en/consultations/"',
        'href="/accounts/login/"',
    ):
        assert link in html
    assert '<html lang="en" dir="ltr">' in html
    assert '<a class="skip-link" href="#main">' in html and '<main id="main"' in html


def test_the_home_page_costs_a_handful_of_queries(client, home_page, django_assert_max_num_queries):
    client.get("/en/")  # warm Wagtail's site cache, as in production
    with django_assert_max_num_queries(10):
        assert client.get("/en/").status_code == 200


def test_the_home_page_is_light(client, home_page):
    html = client.get("/en/").content
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', html)
    weight = len(html) + sum(len(open(finders.find(a.decode().removeprefix("/static/")), "rb").read()) for a in assets)
    assert weight < 100 * 1024
    assert b"<script" not in html  # nothing to download, nothing to run


@pytest.mark.smoke
def test_the_public_site_has_a_strict_content_security_policy(client, home_page):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["script-src"].startswith("'self'")


def test_the_admin_gets_its_own_policy_and_still_nothing_from_elsewhere(client):
    policy = client.get("/admin/login/")["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in policy
    assert "http" not in policy and "*" not in policy


def test_a_standard_page_shows_editor_text_escaped(client, home_page):
    page = home_page.add_child(instance=StandardPage(title=HOSTILE, slug="about", intro=HOSTILE))
    html = client.get(page.url).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "ทดสอบ 🙂" in html


def test_the_language_switch_works_without_javascript(client, home_page):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_page_that_does_not_exist_is_a_404(client, home_page):
    response = client.get("/no-such-page/", follow=True)
    assert response.redirect_chain == [("/en/no-such-page/", 302)]
    assert response.status_code == 404
