"""Consultation responses after their retention period: identity removed, answers and publication choice kept.

The period counts from the publication of the outcome (the outcome notice's
time), not from the closing: the owner still works with the responses until
the outcome is out.
"""

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from consultations.models import ConsultationNotice, Response
from consultations.services import consultation_notices_schedule
from grievances.privacy.models import RetentionPolicy
from grievances.privacy.services import retention_sweep
from tests.factories import ResponseFactory

DECIDED = [{"type": "paragraph", "value": "<p>The ministry will extend the benefit.</p>"}]


def closed_long_ago(make_consultation, **fields):
    page = make_consultation("closed", **fields)
    type(page).objects.filter(pk=page.pk).update(closes_at=timezone.now() - timedelta(days=800))
    return type(page).objects.get(pk=page.pk)


def outcome_published(page, days_ago: int):
    """The outcome published ``days_ago`` days ago, as the notices' schedule records it."""
    notices = consultation_notices_schedule(consultation=page)
    assert [notice.kind for notice in notices] == [ConsultationNotice.Kind.OUTCOME]
    ConsultationNotice.objects.filter(pk=notices[0].pk).update(created_at=timezone.now() - timedelta(days=days_ago))


def test_responses_lose_identity_a_policy_period_after_the_outcome_but_keep_answers(make_consultation):
    page = closed_long_ago(make_consultation, outcome=DECIDED)
    outcome_published(page, days_ago=400)
    private = ResponseFactory(
        consultation=page,
        respondent_name="Malee Private",
        publication=Response.Publication.ANONYMOUS,
        answers={"q1": "Malee here, call 081 234 5678 about the pension"},
    )
    named = ResponseFactory(consultation=page, respondent_name="Union of Workers", publication="named")
    unpublished = ResponseFactory(consultation=page, respondent_name="Quiet Person", publication="none")
    recent = ResponseFactory(consultation=make_consultation("open"), respondent_name="Still Here")

    result = retention_sweep()

    assert result["consultation_responses"] == 3
    private.refresh_from_db()
    assert private.respondent_id is None and private.respondent_name == "" and private.anonymised_at
    assert "081 234 5678" not in private.answers["q1"] and "Malee" not in private.answers["q1"]
    assert "pension" in private.answers["q1"]
    # Published quotes keep their publication choice: the named one its name, the anonymous one none.
    named.refresh_from_db()
    assert named.respondent_name == "Union of Workers" and named.respondent_id is None
    assert named.is_published and named.public_name == "Union of Workers"
    assert private.is_published and private.public_name == "" and private.publication == "anonymous"
    unpublished.refresh_from_db()
    assert unpublished.respondent_name == "" and not unpublished.is_published
    recent.refresh_from_db()
    assert recent.respondent_id is not None and recent.anonymised_at is None
    assert retention_sweep()["consultation_responses"] == 0  # idempotent


def test_a_consultation_closed_long_ago_without_a_published_outcome_keeps_its_responses(make_consultation):
    waiting = closed_long_ago(make_consultation)
    response = ResponseFactory(consultation=waiting, respondent_name="Waiting Person", publication="none")
    assert retention_sweep()["consultation_responses"] == 0
    response.refresh_from_db()
    assert response.respondent_name == "Waiting Person" and response.respondent_id and response.anonymised_at is None


def test_an_outcome_published_recently_keeps_the_responses_however_long_ago_the_consultation_closed(
    make_consultation,
):
    page = closed_long_ago(make_consultation, outcome=DECIDED)
    outcome_published(page, days_ago=30)
    response = ResponseFactory(consultation=page, respondent_name="Recent Outcome")
    assert retention_sweep()["consultation_responses"] == 0
    response.refresh_from_db()
    assert response.respondent_name == "Recent Outcome" and response.anonymised_at is None


def test_the_response_policy_is_set_in_the_admin(make_consultation):
    RetentionPolicy.objects.create(kind=RetentionPolicy.Kind.CONSULTATION_RESPONSES, keep_days=10)
    page = closed_long_ago(make_consultation, outcome=DECIDED)
    outcome_published(page, days_ago=11)
    ResponseFactory(consultation=page)
    assert retention_sweep(dry_run=True)["consultation_responses"] == 1
    assert retention_sweep()["consultation_responses"] == 1


# --- the name sealed at rest ----------------------------------------------------------


def raw_name(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT respondent_name FROM consultations_response WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_the_respondent_name_is_sealed_in_the_database_and_read_back_in_clear(make_consultation):
    response = ResponseFactory(consultation=make_consultation("open"), respondent_name="Pranee Sealedname")
    stored = raw_name(response.pk)
    assert stored.startswith("sealed:1:dev:") and "Pranee" not in stored
    assert Response.objects.get(pk=response.pk).respondent_name == "Pranee Sealedname"


def test_an_anonymised_response_keeps_a_named_quote_sealed(make_consultation):
    page = closed_long_ago(make_consultation, outcome=DECIDED)
    outcome_published(page, days_ago=400)
    named = ResponseFactory(consultation=page, respondent_name="Union Sealedname", publication="named")
    retention_sweep()
    assert raw_name(named.pk).startswith("sealed:1:") and "Sealedname" not in raw_name(named.pk)
    assert Response.objects.get(pk=named.pk).respondent_name == "Union Sealedname"


def test_key_rotation_seals_respondent_names_again_under_the_new_key(make_consultation, settings):
    from portal.lib.rotation import rotate_keys
    from tests.grievances.privacy.test_encryption import NEW, OLD

    settings.SUARA_DATA_KEYS = OLD
    response = ResponseFactory(consultation=make_consultation("open"), respondent_name="Rotated Respondent")
    assert raw_name(response.pk).startswith("sealed:1:old:")
    settings.SUARA_DATA_KEYS = f"{OLD},{NEW}"
    assert Response.objects.get(pk=response.pk).respondent_name == "Rotated Respondent"  # old key still read

    report = rotate_keys(files=False)

    assert report.columns["consultations.Response.respondent_name"] >= 1
    assert report.remaining["consultations.Response.respondent_name"] == 0
    assert raw_name(response.pk).startswith("sealed:1:new:")
    settings.SUARA_DATA_KEYS = NEW  # the old key retired
    assert Response.objects.get(pk=response.pk).respondent_name == "Rotated Respondent"


def test_the_migration_seals_names_written_in_clear_before_it(make_consultation):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("consultations.migrations.0007_sealed_respondent_name")
    response = ResponseFactory(consultation=make_consultation("open"), respondent_name="Old Clearname")
    with connection.cursor() as cursor:  # as the column held it before the migration
        cursor.execute(
            "UPDATE consultations_response SET respondent_name = %s WHERE id = %s", ["Old Clearname", response.pk]
        )
    migration.seal_existing(apps, connection.schema_editor())
    assert raw_name(response.pk).startswith("sealed:1:") and "Clearname" not in raw_name(response.pk)
    assert Response.objects.get(pk=response.pk).respondent_name == "Old Clearname"
    migration.seal_existing(apps, connection.schema_editor())  # run twice: nothing changes, still readable
    assert Response.objects.get(pk=response.pk).respondent_name == "Old Clearname"
