"""The installable page, its worker and manifest: who may open them, and what they weigh."""

import json

import pytest
from django.test import Client

from grievances.models import Category
from grievances.offline.views import cached_urls
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
PAGE = "/workspace/field/"
# Everything the worker keeps, for a low-end phone on a slow link (the category list grows
# with the reference data and is not counted: it is subtracted below).
BUDGET_BYTES = 150 * 1024


def test_the_page_renders_the_form_and_strings_in_the_persons_language(signed_in, category):
    response = signed_in.get(PAGE)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="fv-draft"' in text and 'name="category"' in text and 'rel="manifest"' in text
    config = response.context["config"]
    assert config["strings"]["offline"] and config["urls"]["sync"] == "/workspace/field/sync/"
    assert 'id="fv-config" type="application/json"' in text
    assert "<noscript>" in text  # without JavaScript, the way to the online form


def test_people_without_a_recording_role_get_no_page(client, beneficiary):
    client.force_login(beneficiary)
    assert client.get(PAGE).status_code == 403
    assert Client().get(PAGE).status_code == 302  # to sign in


def test_the_worker_keeps_the_page_and_its_files(client):
    response = client.get("/workspace/field/sw.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    for url in cached_urls():
        assert json.dumps(url) in body


def test_the_manifest_installs_the_page(client):
    manifest = json.loads(client.get("/workspace/field/manifest.webmanifest").content)
    assert manifest["start_url"] == PAGE and manifest["scope"] == PAGE and manifest["display"] == "standalone"


def test_everything_the_worker_keeps_fits_the_budget(signed_in, category):
    for n in range(30):
        Category.objects.create(parent=category.parent, name=f"Other problem {n}")
    total = 0
    category_bytes = 0
    for url in cached_urls():
        response = signed_in.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        total += len(body)
        if url == PAGE:
            select = body.split(b'name="category"', 1)[1].split(b"</select>", 1)[0]
            category_bytes = len(select)
    total += len(signed_in.get("/workspace/field/sw.js").content)
    print(f"offline budget: {total - category_bytes} bytes cached besides {category_bytes} of categories")
    assert total - category_bytes <= BUDGET_BYTES, total - category_bytes


def test_state_tells_the_page_who_is_signed_in_without_naming_them(signed_in, client, recorder):
    state = signed_in.get("/workspace/field/state/").json()
    assert (
        state["signedIn"]
        and state["csrf"]
        and str(recorder.pk) != state["user"]
        and recorder.email not in state["user"]
    )
    assert Client().get("/workspace/field/state/").status_code == 401


def test_my_page_leads_representatives_to_the_field_visit_page(client, union, beneficiary):
    rep = MembershipFactory(organization=union, role="representative").user
    client.force_login(rep)
    assert 'href="/workspace/field/"' in client.get("/my/").content.decode()
    client.force_login(beneficiary)
    assert 'href="/workspace/field/"' not in client.get("/my/").content.decode()
