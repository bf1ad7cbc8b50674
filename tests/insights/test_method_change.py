"""A change of method (the glossary grows or is corrected, the vectorising code changes) never leaves
stale vectors behind: the next refresh computes every case's vector again, and meanwhile the
worker does not place cases in themes made by the other method."""

import numpy as np
import pytest

from grievances.insights import tasks, vectors
from grievances.insights.models import CaseVector, Membership, Refresh, Theme
from grievances.insights.services import insights_refresh
from tests.insights import dataset
from tests.insights.conftest import lodge

pytestmark = pytest.mark.django_db

OTP = dataset.PROBLEMS["otp"]
CARD = dataset.PROBLEMS["health_card"]


def _lodge_set(category):
    return [
        lodge(category, description=problem[language][0].format(amt="1,250", d=day), language=language).grievance
        for problem in (OTP, CARD)
        for language in ("en", "th", "vi")
        for day in (7, 19)
    ]


def _as_if_made_by_another_method():
    # What a deployment with a grown glossary finds: vectors one concept shorter, a refresh of the old method.
    Refresh.objects.update(space={"dims": vectors.DIMS - 1, "method": "0:old"})
    old = vectors.to_bytes(np.ones(vectors.DIMS - 1, dtype=np.float32))
    CaseVector.objects.update(vector=old)


def test_the_first_refresh_after_a_change_of_method_vectorises_every_case_again(category):
    cases = _lodge_set(category)
    insights_refresh()
    _as_if_made_by_another_method()

    refresh = insights_refresh()

    assert refresh.space["method"] == vectors.METHOD
    assert CaseVector.objects.count() == len(cases)
    assert {len(bytes(row)) for row in CaseVector.objects.values_list("vector", flat=True)} == {vectors.DIMS * 2}
    assert Theme.objects.count() == 2


def test_a_vector_written_meanwhile_by_the_old_method_is_left_out_then_computed_again(category):
    cases = _lodge_set(category)
    insights_refresh()
    CaseVector.objects.filter(grievance=cases[0]).update(
        vector=vectors.to_bytes(np.ones(vectors.DIMS - 1, dtype=np.float32))
    )

    insights_refresh()

    assert len(bytes(CaseVector.objects.get(grievance=cases[0]).vector)) == vectors.DIMS * 2
    assert Membership.objects.filter(grievance=cases[0]).exists()


def test_the_worker_does_not_place_a_case_in_themes_of_another_method(category):
    _lodge_set(category)
    insights_refresh()
    _as_if_made_by_another_method()
    newcomer = lodge(category, description=OTP["vi"][0].format(d=12), language="vi").grievance

    tasks.place_case.call(newcomer.pk)

    assert len(bytes(CaseVector.objects.get(grievance=newcomer).vector)) == vectors.DIMS * 2
    assert not Membership.objects.filter(grievance=newcomer).exists()
    insights_refresh()
    assert Membership.objects.filter(grievance=newcomer).exists()


def test_the_method_names_the_glossary_it_was_made_with():
    assert vectors.METHOD.startswith(f"{vectors.VERSION}:{vectors.DIMS}:")
    assert vectors.Space.from_dict({**vectors.Space().to_dict(), "method": "0:old"}).language_means == {}


def test_similar_cases_still_answer_while_vectors_of_two_methods_coexist(api, read_token, category):
    cases = _lodge_set(category)
    insights_refresh()
    _as_if_made_by_another_method()
    newcomer = lodge(category, description=OTP["vi"][0].format(d=12), language="vi").grievance
    tasks.place_case.call(newcomer.pk)

    for grievance in (cases[0], newcomer):
        response = api.get(f"/api/v1/cases/{grievance.reference}/similar", token=read_token)
        assert response.status_code == 200
