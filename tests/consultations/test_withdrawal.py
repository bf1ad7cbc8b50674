"""A respondent withdraws their response before the consultation closes: deleted, no longer counted."""

from consultations.models import Response, ResponseChoice
from tests.consultations.conftest import form_data
from tests.consultations.test_responding import respond_url
from tests.factories import ResponseFactory


def test_a_submitted_response_is_withdrawn_with_its_counted_answers(client, consultation, beneficiary):
    client.force_login(beneficiary)
    assert client.post(respond_url(consultation), form_data()).status_code == 302
    response = Response.objects.get(respondent=beneficiary)
    assert ResponseChoice.objects.filter(response=response).exists()
    page = client.get(respond_url(consultation, **{"as": "individual"})).content.decode()
    assert 'value="withdraw"' in page
    result = client.post(respond_url(consultation), {"capacity": "individual", "action": "withdraw"})
    assert result.status_code == 302
    assert not Response.objects.filter(pk=response.pk).exists()
    assert not ResponseChoice.objects.filter(response_id=response.pk).exists()


def test_someone_else_s_response_is_not_withdrawn(client, consultation, beneficiary):
    other = ResponseFactory(consultation=consultation)
    client.force_login(beneficiary)
    client.post(respond_url(consultation), {"capacity": "individual", "action": "withdraw"})
    assert Response.objects.filter(pk=other.pk).exists()


def test_after_closing_a_response_cannot_be_withdrawn(client, make_consultation, beneficiary):
    closed = make_consultation("closed")
    response = ResponseFactory(consultation=closed, respondent=beneficiary)
    client.force_login(beneficiary)
    result = client.post(respond_url(closed), {"capacity": "individual", "action": "withdraw"})
    assert result.status_code == 403
    assert Response.objects.filter(pk=response.pk).exists()
