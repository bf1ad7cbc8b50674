"""Every public page, in every language, says its language and direction and weighs at most 100 KB over the wire (gzip), with its
stylesheets, scripts and images: the people Suara is for are often on a slow, prepaid mobile
connection. No web fonts are sent at all: each script is drawn with the device's own fonts.
"""

import gzip
import io
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

from portal.lib.i18n import url_prefix

pytestmark = pytest.mark.django_db

BUDGET_BYTES = 100_000
PAGES = (
    "/{prefix}/",
    "/{prefix}/consultations/",
    "/{prefix}/consultations/maternity-cash-benefit-informal-workers/",
    "/grievances/new/",
    "/grievances/track/",
    "/statistics/",
)
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src|img[^>]+src)="(/static/[^"?#]+)')


def _gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def _asset_bytes(url: str) -> bytes:
    path = finders.find(url.removeprefix(settings.STATIC_URL))
    assert path, f"{url} is not a static file"
    with open(path, "rb") as file:
        return file.read()


@pytest.mark.slow
def test_every_public_page_in_every_language_weighs_at_most_100_kb(home_page):
    call_command("seed_demo", "--quiet-accounts", stdout=io.StringIO())
    heavy, fonts = {}, []
    for language, _name in settings.LANGUAGES:
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for address in PAGES:
            url = address.format(prefix=url_prefix(language))
            response = client.get(url, follow=True)
            assert response.status_code == 200, f"{language} {url}: HTTP {response.status_code}"
            html = response.content
            direction = "rtl" if language in settings.LANGUAGES_BIDI else "ltr"
            assert f'<html lang="{language}" dir="{direction}">'.encode() in html[:200], f"{language} {url}"
            assets = sorted(set(ASSET.findall(html.decode())))
            fonts += [asset for asset in assets if asset.endswith((".woff", ".woff2", ".ttf", ".otf"))]
            total = _gzipped(html) + sum(_gzipped(_asset_bytes(asset)) for asset in assets)
            if total > BUDGET_BYTES:
                heavy[f"{language} {url}"] = total
    assert not fonts, f"web fonts sent: {fonts}"
    assert not heavy, f"pages over {BUDGET_BYTES} bytes (gzip): {heavy}"
