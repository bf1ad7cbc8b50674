"""Responding through the pages: capacities, mandates, drafts, errors, limits, escaping."""

import re

import pytest

from consultations.models import Response
from portal.models import Membership
from tests.consultations.conftest import Q, form_data
from tests.factories import HOSTILE

pytestmark = pytest.mark.django_db


def respond_url(consultation, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return consultation.url + "respond/" + (f"?{query}" if query else "")


def test_a_visitor_is_asked_to_sign_in_first(client, consultation):
    response = client.get(respond_url(consultation))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.smoke
def test_a_union_representative_drafts_returns_and_submits_for_the_union(client, consultation, union, union_rep):
    client.force_login(union_rep)
    choose = client.get(respond_url(consultation)).content.decode()
    assert f"?as={union.pk}" in choose and "?as=individual" in choose

    half = form_data(action="draft", capacity=str(union.pk), **{f"q_{Q['single']}": None, "publication": None})
    response = client.post(respond_url(consultation), half)
    assert response.status_code == 302 and response["Location"].endswith(f"?as={union.pk}")
    draft = Response.objects.get()
    assert draft.status == "draft" and draft.organization == union and draft.stakeholder_group == "workers"

    page = client.get(respond_url(consultation, **{"as": union.pk})).content.decode()
    assert "Draft saved" in page and "My view &lt;script&gt;" in page

    response = client.post(respond_url(consultation), form_data(capacity=str(union.pk)))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "submitted" and draft.answers[Q["single"]] == "=B"


def test_someone_who_is_not_a_representative_cannot_post_for_the_organization(
    client, consultation, union, union_member
):
    client.force_login(union_member)
    response = client.post(respond_url(consultation), form_data(capacity=str(union.pk)))
    assert response.status_code == 403
    assert not Response.objects.exists()


def test_a_mandate_that_ends_after_the_form_was_shown_is_refused_on_submit(client, consultation, union, union_rep):
    client.force_login(union_rep)
    assert client.get(respond_url(consultation, **{"as": union.pk})).status_code == 200
    Membership.objects.filter(user=union_rep, organization=union).update(active=False)
    response = client.post(respond_url(consultation), form_data(capacity=str(union.pk)))
    assert response.status_code == 403
    assert not Response.objects.filter(organization=union).exists()


def test_a_half_typed_response_survives_validation_errors(client, consultation, beneficiary):
    client.force_login(beneficiary)
    data = form_data(**{f"q_{Q['text']}": "A long thought that I do not want to lose", f"q_{Q['single']}": None})
    response = client.post(respond_url(consultation), data)
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    html = response.content.decode()
    assert "A long thought that I do not want to lose" in html
    assert 'class="error-summary"' in html
    # The summary links to the first option of the unanswered choice question.
    assert f'href="#id_q_{Q["single"]}_0"' in html
    assert f'id="id_q_{Q["single"]}_error"' in html
    assert f'aria-describedby="id_q_{Q["single"]}_helptext id_q_{Q["single"]}_error"' in html
    # The multiple-choice answer the person ticked is still ticked.
    assert re.search(rf'<input[^>]*name="q_{Q["multi"]}"[^>]*value="X"[^>]*checked', html)
    assert not Response.objects.exists()


def test_over_long_text_is_refused_with_the_limit_shown(client, consultation, beneficiary):
    client.force_login(beneficiary)
    response = client.post(respond_url(consultation), form_data(**{f"q_{Q['text']}": "x" * 201}))
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    html = response.content.decode()
    assert "Keep this to 200 characters or fewer; it has 201." in html
    assert "Up to 200 characters." in html
    assert 'maxlength="200"' not in html  # the browser must not cut pasted text silently
    assert 'aria-invalid="true"' in html
    # Even a draft may not exceed a limit.
    client.post(respond_url(consultation), form_data(action="draft", **{f"q_{Q['text']}": "x" * 201}))
    assert not Response.objects.exists()


def test_line_breaks_count_as_one_character(client, consultation, beneficiary):
    client.force_login(beneficiary)
    text = ("y" * 99 + "\r\n") * 2  # 200 characters as people count them, 202 as sent
    assert client.post(respond_url(consultation), form_data(**{f"q_{Q['text']}": text})).status_code == 302


def test_hostile_text_is_stored_as_typed_and_shown_escaped(client, consultation, beneficiary):
    client.force_login(beneficiary)
    client.post(respond_url(consultation), form_data(**{f"q_{Q['text']}": HOSTILE}))
    assert Response.objects.get().answers[Q["text"]] == HOSTILE.strip()
    html = client.get(respond_url(consultation, **{"as": "individual"})).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html and "ทดสอบ 🙂" in html
    assert ' style="' not in html and "<script" not in html


def test_after_closing_the_response_is_frozen(client, make_consultation, beneficiary):
    from tests.factories import ResponseFactory

    closed = make_consultation("closed")
    ResponseFactory(consultation=closed, respondent=beneficiary)
    client.force_login(beneficiary)
    response = client.get(respond_url(closed))
    assert response.status_code == 403 and "Responses are closed" in response.content.decode()
    assert client.post(respond_url(closed), form_data()).status_code == 403


def test_an_invited_only_consultation_turns_individuals_away(client, make_consultation, beneficiary):
    consultation = make_consultation("open", audience="invited")
    client.force_login(beneficiary)
    response = client.get(respond_url(consultation))
    assert response.status_code == 403 and "invited organizations" in response.content.decode()


def test_the_response_form_is_accessible_without_javascript(client, consultation, beneficiary):
    client.force_login(beneficiary)
    html = client.get(respond_url(consultation)).content.decode()
    # Choice questions are fieldsets with legends; text questions have labels.
    assert html.count("<fieldset") == 4 + 1  # single, multi, scale, yes/no, and publication
    assert html.count("<legend") == 5
    assert f'<label for="id_q_{Q["text"]}"' in html
    assert "<script" not in html and ' style="' not in html
    assert 'enctype="multipart/form-data"' in html and 'type="file"' in html
    assert "no-store" in client.get(respond_url(consultation))["Cache-Control"]
