"""Consultation responses after their retention period: identity removed, answers and publication choice kept."""

from datetime import timedelta

from django.utils import timezone

from consultations.models import Response
from grievances.privacy.models import RetentionPolicy
from grievances.privacy.services import retention_sweep
from tests.factories import ResponseFactory


def test_responses_of_a_consultation_closed_past_the_policy_lose_identity_but_keep_answers(make_consultation):
    closed = make_consultation("closed")
    type(closed).objects.filter(pk=closed.pk).update(closes_at=timezone.now() - timedelta(days=400))
    private = ResponseFactory(
        consultation=closed,
        respondent_name="Malee Private",
        publication=Response.Publication.ANONYMOUS,
        answers={"q1": "Malee here, call 081 234 5678 about the pension"},
    )
    named = ResponseFactory(consultation=closed, respondent_name="Union of Workers", publication="named")
    recent = ResponseFactory(consultation=make_consultation("open"), respondent_name="Still Here")

    result = retention_sweep()

    assert result["consultation_responses"] == 2
    private.refresh_from_db()
    assert private.respondent_id is None and private.respondent_name == "" and private.anonymised_at
    assert "081 234 5678" not in private.answers["q1"] and "Malee" not in private.answers["q1"]
    assert "pension" in private.answers["q1"]
    named.refresh_from_db()
    assert named.respondent_name == "Union of Workers" and named.respondent_id is None  # the publication choice kept
    recent.refresh_from_db()
    assert recent.respondent_id is not None and recent.anonymised_at is None
    assert retention_sweep()["consultation_responses"] == 0  # idempotent


def test_the_response_policy_is_set_in_the_admin(make_consultation):
    RetentionPolicy.objects.create(kind=RetentionPolicy.Kind.CONSULTATION_RESPONSES, keep_days=10)
    closed = make_consultation("closed")
    type(closed).objects.filter(pk=closed.pk).update(closes_at=timezone.now() - timedelta(days=11))
    ResponseFactory(consultation=closed)
    assert retention_sweep(dry_run=True)["consultation_responses"] == 1
    assert retention_sweep()["consultation_responses"] == 1
