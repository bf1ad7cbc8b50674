"""A person's own page lists their consultation responses, and nobody else's."""

import pytest
from django.utils.html import escape

from tests.factories import ResponseFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_my_page_lists_my_responses_and_not_anyone_elses(client, beneficiary, consultation, make_consultation):
    other = make_consultation(title="Someone else's consultation")
    ResponseFactory(consultation=consultation, respondent=beneficiary)
    ResponseFactory(consultation=other, respondent=UserFactory())
    client.force_login(beneficiary)
    html = client.get("/my/").content.decode()
    assert "Your consultation responses" in html
    assert f"{consultation.url}respond/?as=individual" in html
    assert escape(consultation.title) in html
    assert "Someone else&#x27;s consultation" not in html and "Someone else's consultation" not in html
