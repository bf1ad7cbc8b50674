"""A respondent's consultation responses are part of their export (/my/data/)."""

import json

from tests.factories import ResponseFactory


def test_my_data_holds_my_responses_with_their_answers_and_publication_choice(client, consultation, beneficiary):
    ResponseFactory(consultation=consultation, respondent=beneficiary, answers={"q1": "Raise the benefit"})
    ResponseFactory(consultation=consultation)  # someone else's
    client.force_login(beneficiary)
    data = json.loads(client.get("/my/data/").content)
    (mine,) = data["consultation_responses"]
    assert mine["consultation"] == consultation.title and mine["answers"][0]["answer"] == "Raise the benefit"
    assert mine["publication"]
