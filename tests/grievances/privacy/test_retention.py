"""Retention: closed cases past their policy are anonymised, once, unless on hold; other records expire."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from grievances.models import Attachment, CaseAccess, CaseEvent, Grievance, ThrottleHit
from grievances.privacy.models import Anonymisation, LegalHold, RetentionPolicy
from grievances.privacy.services import grievances_anonymise, legal_hold_lift, legal_hold_place, retention_sweep
from grievances.privacy.tasks import send_retention_warning
from grievances.services import grievance_lodge, grievance_reply
from grievances.workflow import Status
from portal import registry
from portal.lib.scrub import scrub
from portal.lib.uploads import clean_upload, get_private_storage
from portal.models import Membership
from tests.fixtures.uploads import pdf_bytes, uploaded
from tests.grievances.conftest import move_to
from tests.grievances.workspace.conftest import member

NAME = "Somchai Jaidee"
PHONE = "+66 81 234 5678"
EMAIL = "somchai@example.org"
STORY = f"I am {NAME}, call me on 081 234 5678 or write to {EMAIL}; my ID is 1-2345-67890-12-3. Paid 3000 baht."


def closed_case(category, *, days_ago: int, **extra) -> Grievance:
    lodged = grievance_lodge(
        category=category,
        description=STORY,
        contact_preference=Grievance.Contact.PHONE,
        contact_name=NAME,
        contact_phone=PHONE,
        contact_email=EMAIL,
        **extra,
    ).grievance
    grievance_reply(grievance=lodged, body=f"Somchai again: my new number is 089 999 8888 ({EMAIL}).")
    closed = timezone.now() - timedelta(days=days_ago)
    return move_to(
        lodged,
        Status.CLOSED,
        kind=CaseEvent.Kind.CLOSED,
        closed_at=closed,
        decision=Grievance.Decision.UPHELD,
        decision_reasons=f"{NAME}'s payment was late.",
    )


def test_scrub_removes_phones_emails_national_ids_and_names_but_keeps_dates_and_amounts():
    text = scrub(
        "Somchai (NIK 3171234567890001, MyKad 800101-14-5678, +63 917 123 4567) on 2026-11-30 paid 3000 baht",
        names=["Somchai Jaidee"],
    )
    assert "Somchai" not in text and "3171234567890001" not in text and "800101-14-5678" not in text
    assert "917 123 4567" not in text
    assert "2026-11-30" in text and "3000 baht" in text


def test_a_case_past_its_policy_loses_identity_and_identifiers_but_keeps_its_structure(category):
    case = closed_case(category, days_ago=6 * 365)
    events_before = list(case.events.order_by("pk").values_list("kind", "public", "status_after", "created_at"))

    result = retention_sweep()

    assert result["cases"] == 1
    case.refresh_from_db()
    assert (case.contact_name, case.contact_phone, case.contact_email, case.complainant_id) == ("", "", "", None)
    for gone in ("Somchai", "081 234 5678", EMAIL, "1-2345-67890-12-3"):
        assert gone not in case.description
    assert "3000 baht" in case.description and NAME not in case.decision_reasons
    assert (case.status, case.decision, case.category_id) == (Status.CLOSED, Grievance.Decision.UPHELD, category.pk)
    assert list(case.events.order_by("pk").values_list("kind", "public", "status_after", "created_at")) == events_before
    assert not any("Somchai" in body or "089 999 8888" in body for body in case.events.values_list("body", flat=True))
    record = Anonymisation.objects.get(grievance=case)
    assert record.reason == Anonymisation.Reason.RETENTION and "1825 days" in record.policy
    assert record.texts_scrubbed >= 3


def test_a_case_within_its_policy_is_left_alone(category):
    case = closed_case(category, days_ago=30)
    assert retention_sweep()["cases"] == 0
    case.refresh_from_db()
    assert case.contact_phone == PHONE and not Anonymisation.objects.exists()


def test_an_open_case_is_never_anonymised_however_old(category):
    old = grievance_lodge(
        category=category, description=STORY, contact_preference=Grievance.Contact.PHONE, contact_phone=PHONE
    ).grievance
    Grievance.objects.filter(pk=old.pk).update(lodged_at=timezone.now() - timedelta(days=4000))
    assert retention_sweep()["cases"] == 0


def test_a_sensitive_category_has_the_shorter_default_and_stays_sealed(sensitive_category):
    case = closed_case(sensitive_category, days_ago=3 * 365)
    assert retention_sweep()["cases"] == 1
    case.refresh_from_db()
    assert "730 days" in Anonymisation.objects.get(grievance=case).policy
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT description FROM grievances_grievance WHERE id = %s", [case.pk])
        assert cursor.fetchone()[0].startswith("sealed:1:")


def test_a_policy_set_in_the_admin_for_a_category_wins_over_the_default(category):
    RetentionPolicy.objects.create(kind=RetentionPolicy.Kind.CASES, category=category.parent, keep_days=10)
    case = closed_case(category, days_ago=11)
    assert retention_sweep()["cases"] == 1
    assert "category" in Anonymisation.objects.get(grievance=case).policy


def test_the_sweep_run_twice_anonymises_each_case_once(category):
    closed_case(category, days_ago=6 * 365)
    closed_case(category, days_ago=6 * 365)
    assert retention_sweep(batch_size=1)["cases"] == 2
    assert retention_sweep()["cases"] == 0
    assert Anonymisation.objects.count() == 2


def test_anonymising_an_already_anonymised_case_writes_nothing(category):
    case = closed_case(category, days_ago=6 * 365)
    assert grievances_anonymise(ids=[case.pk], reason=Anonymisation.Reason.RETENTION) == [case.pk]
    assert grievances_anonymise(ids=[case.pk], reason=Anonymisation.Reason.RETENTION) == []


def test_dry_run_says_what_it_would_do_and_changes_nothing(category):
    case = closed_case(category, days_ago=6 * 365)
    out = StringIO()
    call_command("retention_sweep", "--dry-run", "-v", "2", stdout=out)
    assert "would anonymise cases=1" in out.getvalue() and case.reference in out.getvalue()
    case.refresh_from_db()
    assert case.contact_phone == PHONE and not Anonymisation.objects.exists()


def test_attachments_are_deleted_from_storage(category, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    upload = clean_upload(uploaded("id-card.pdf", pdf_bytes()))
    case = closed_case(category, days_ago=6 * 365, attachments=[upload])
    name = Attachment.objects.get(grievance=case).storage_name
    assert get_private_storage().exists(name)
    with pytest.MonkeyPatch.context():
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            retention_sweep()
    assert not Attachment.objects.filter(grievance=case).exists()
    assert not get_private_storage().exists(name)
    assert Anonymisation.objects.get(grievance=case).attachments_deleted == 1


# --- legal hold -------------------------------------------------------------------------


def test_a_case_on_legal_hold_is_kept_until_the_hold_is_lifted_and_the_log_shows_both(category, agency):
    supervisor = member(agency, Membership.Role.SUPERVISOR)
    case = closed_case(category, days_ago=6 * 365)
    legal_hold_place(grievance=case, user=supervisor, reason="Court case 12/2026")
    assert retention_sweep()["cases"] == 0
    legal_hold_lift(grievance=case, user=supervisor)
    assert retention_sweep()["cases"] == 1
    assert list(CaseAccess.objects.filter(grievance=case).values_list("what", flat=True).order_by("at", "id")) == [
        "legal hold",
        "hold lifted",
    ]


def test_only_a_supervisor_of_the_agency_can_place_a_hold(category, agency, other_agency):
    case = closed_case(category, days_ago=1)
    for person in (member(agency, Membership.Role.CASE_OFFICER), member(other_agency, Membership.Role.SUPERVISOR)):
        with pytest.raises(PermissionDenied):
            legal_hold_place(grievance=case, user=person, reason="x")
    assert not LegalHold.objects.exists()


def test_a_hold_needs_a_reason(category, agency):
    case = closed_case(category, days_ago=1)
    with pytest.raises(ValidationError):
        legal_hold_place(grievance=case, user=member(agency, Membership.Role.SUPERVISOR), reason="  ")


# --- other records ------------------------------------------------------------------------


def test_old_access_logs_and_throttle_records_expire_with_their_policies(category, agency):
    case = closed_case(category, days_ago=1)
    officer = member(agency, Membership.Role.CASE_OFFICER)
    old = CaseAccess.objects.create(grievance=case, user=officer, at=timezone.now() - timedelta(days=800))
    recent = CaseAccess.objects.create(grievance=case, user=officer)
    ThrottleHit.objects.create(scope="pin", key="k", created_at=timezone.now() - timedelta(days=3))
    result = retention_sweep()
    assert result["access_logs"] == 1 and result["throttle"] == 1
    assert not CaseAccess.objects.filter(pk=old.pk).exists() and CaseAccess.objects.filter(pk=recent.pk).exists()


def test_the_sweep_runs_in_the_background_loop_and_the_production_scheduler():
    assert ["retention_sweep", "--every", "3600"] in registry.background_commands()


# --- warnings --------------------------------------------------------------------------


def warning_tasks():
    from django_tasks_db.models import DBTaskResult

    return list(DBTaskResult.objects.filter(task_path__endswith="send_retention_warning"))


def test_supervisors_are_told_once_thirty_days_ahead_by_email(
    category, agency, mailoutbox, django_capture_on_commit_callbacks
):
    supervisor = member(agency, Membership.Role.SUPERVISOR)
    member(agency, Membership.Role.CASE_OFFICER)  # officers are not told
    soon = closed_case(category, days_ago=5 * 365 - 10)
    later = closed_case(category, days_ago=100)
    with django_capture_on_commit_callbacks(execute=True):
        result = retention_sweep()
    assert result["warned"] == 1 and result["cases"] == 0
    (row,) = warning_tasks()
    mailoutbox.clear()
    send_retention_warning.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
    assert [message.to for message in mailoutbox] == [[supervisor.email]]
    body = mailoutbox[0].body
    assert soon.reference in body and later.reference not in body and NAME not in body and PHONE not in body
    with django_capture_on_commit_callbacks(execute=True):
        assert retention_sweep()["warned"] == 0
    assert len(warning_tasks()) == 1
