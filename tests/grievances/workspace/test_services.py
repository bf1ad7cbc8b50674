"""The agency's actions: each writes its change and its timeline event, or is refused whole."""

import pytest
from django.core.exceptions import ValidationError

from grievances import services
from grievances.models import CaseEvent, Grievance, Referral
from grievances.workflow import ActionRefused, StaleCase, Status
from tests.factories import HOSTILE
from tests.grievances.conftest import move_to

K = CaseEvent.Kind


def fresh(grievance):
    return Grievance.objects.get(pk=grievance.pk)


def last_event(grievance):
    return grievance.events.order_by("-created_at", "-id").first()


def test_an_officer_takes_a_case_and_it_becomes_assigned(case, officer):
    services.grievance_assign(grievance=case, user=officer, assignee=officer, version=case.version)
    case = fresh(case)
    assert (case.status, case.assignee, case.version) == (Status.ASSIGNED, officer, 2)
    event = last_event(case)
    assert event.kind == K.ASSIGNED and not event.public and event.actor == officer


def test_the_second_stale_action_is_refused_never_merged(case, officer, second_officer):
    version = case.version  # both officers opened the page at this version
    services.grievance_add_note(grievance=case, user=officer, body="first", version=version)
    with pytest.raises(StaleCase, match="This case changed — reload"):
        services.grievance_message(grievance=case, user=second_officer, body="second", version=version)
    case = fresh(case)
    assert case.version == version + 1
    assert not case.events.filter(kind=K.MESSAGE_TO_COMPLAINANT).exists()


def test_a_complainant_reply_also_makes_an_open_staff_form_stale(case, officer):
    version = case.version
    services.grievance_reply(grievance=case, body="more information")
    with pytest.raises(StaleCase):
        services.grievance_resolve(grievance=case, user=officer, decision="not_upheld", reasons="r", version=version)
    assert fresh(case).status == Status.ACKNOWLEDGED


def test_an_outsider_is_refused_before_anything_is_said_about_versions(case, outsider_officer):
    with pytest.raises(ActionRefused, match="cannot do this"):
        services.grievance_add_note(grievance=case, user=outsider_officer, body="x", version=999)


def test_an_action_not_in_the_table_is_refused_with_the_state_named(case, officer):
    with pytest.raises(ActionRefused, match="Acknowledged"):
        services.grievance_close(grievance=case, user=officer, version=case.version)


def test_notes_are_internal_and_messages_are_public(case, officer):
    services.grievance_add_note(grievance=case, user=officer, body=HOSTILE, version=1)
    services.grievance_message(grievance=case, user=officer, body="We are checking.", version=2)
    kinds = {e.kind: e.public for e in fresh(case).events.all()}
    assert kinds[K.NOTE] is False and kinds[K.MESSAGE_TO_COMPLAINANT] is True
    assert last_event(case).actor_label == case.agency.name  # the complainant reads the agency, not a name


def test_request_information_pauses_and_the_answer_resumes(case, officer, clock):
    clock.set(2027, 3, 1)  # Monday
    services.grievance_request_information(grievance=case, user=officer, body="Which wallet?", version=1)
    case = fresh(case)
    due_before = case.resolve_due
    assert case.status == Status.AWAITING_COMPLAINANT
    clock.set(2027, 3, 4)  # Thursday: three working days later
    services.grievance_provide_information(grievance=case, body="TrueMoney")
    case = fresh(case)
    assert case.status == Status.IN_PROGRESS
    assert case.due_on == case.resolve_due > due_before


def test_referral_accepted_moves_the_case_and_its_history(case, officer, outsider_officer, other_agency, agency):
    services.grievance_add_note(grievance=case, user=officer, body="history", version=1)
    referral = services.grievance_refer(
        grievance=case, user=officer, to_agency=other_agency, reasons="Wages are theirs", version=2
    )
    case = fresh(case)
    assert (case.status, case.referred_to, case.agency) == (Status.REFERRED, other_agency, agency)
    due = case.due_on
    services.grievance_accept_referral(grievance=case, user=outsider_officer, version=case.version)
    case = fresh(case)
    assert (case.status, case.agency, case.referred_to, case.assignee) == (
        Status.ACKNOWLEDGED,
        other_agency,
        None,
        None,
    )
    assert case.due_on == due  # the clock travelled with it
    assert case.events.filter(kind=K.NOTE, body="history").exists()
    referral.refresh_from_db()
    assert referral.outcome == Referral.Outcome.ACCEPTED and referral.decided_by == outsider_officer
    # The referring agency keeps read-only sight.
    assert Grievance.objects.visible_to(officer).filter(pk=case.pk).exists()
    with pytest.raises(ActionRefused):
        services.grievance_add_note(grievance=case, user=officer, body="x", version=case.version)


def test_referral_returned_resumes_where_it_was_with_reasons(case, officer, outsider_officer, other_agency, agency):
    services.grievance_start(grievance=case, user=officer, version=1)
    services.grievance_refer(grievance=case, user=officer, to_agency=other_agency, reasons="theirs", version=2)
    with pytest.raises(ValidationError):
        services.grievance_return_referral(grievance=case, user=outsider_officer, reasons=" ", version=3)
    services.grievance_return_referral(grievance=case, user=outsider_officer, reasons="Not ours", version=3)
    case = fresh(case)
    assert (case.status, case.agency, case.referred_to) == (Status.IN_PROGRESS, agency, None)
    assert Referral.objects.get().outcome_reasons == "Not ours"
    # The receiving agency saw it while pending and keeps no sight afterwards.
    assert not Grievance.objects.visible_to(outsider_officer).filter(pk=case.pk).exists()


def test_refer_refuses_the_same_agency_and_non_agencies(case, officer, agency, union):
    for target in (agency, union):
        with pytest.raises(ValidationError):
            services.grievance_refer(grievance=case, user=officer, to_agency=target, reasons="r", version=1)


@pytest.mark.parametrize(
    ("decision", "status"),
    [("upheld", Status.RESOLVED), ("not_upheld", Status.RESOLVED), ("out_of_scope", Status.REJECTED)],
)
def test_resolve_records_the_decision_and_opens_the_appeal_window(case, officer, decision, status):
    services.grievance_resolve(
        grievance=case, user=officer, decision=decision, reasons="Because", remedy="Pay 600 baht", version=1
    )
    case = fresh(case)
    assert (case.status, case.decision, case.decided_by) == (status, decision, officer)
    assert case.due_on is None  # nothing more owed by the agency
    assert bool(case.appeal_due) is (status == Status.RESOLVED)
    assert last_event(case).public


def test_upheld_without_a_remedy_is_refused(case, officer):
    with pytest.raises(ValidationError) as error:
        services.grievance_resolve(grievance=case, user=officer, decision="upheld", reasons="r", version=1)
    assert "remedy" in error.value.error_dict


def test_appeal_decided_by_a_supervisor_not_by_the_first_decider(case, officer, supervisor):
    services.grievance_resolve(grievance=case, user=officer, decision="not_upheld", reasons="r", version=1)
    services.grievance_appeal(grievance=case, reasons="I disagree")
    case = fresh(case)
    assert case.status == Status.APPEALED and case.due_on == case.appeal_decision_due
    with pytest.raises(ActionRefused):
        services.grievance_decide_appeal(grievance=case, user=officer, upheld=True, reasons="x", version=case.version)
    services.grievance_decide_appeal(
        grievance=case, user=supervisor, upheld=True, reasons="We will pay", version=case.version
    )
    case = fresh(case)
    assert case.status == Status.CLOSED and case.remedy == "We will pay"


def test_reopen_is_for_supervisors_and_sets_a_fresh_deadline(case, officer, supervisor):
    services.grievance_resolve(grievance=case, user=officer, decision="not_upheld", reasons="r", version=1)
    services.grievance_close(grievance=case, user=officer, version=2)
    with pytest.raises(ActionRefused):
        services.grievance_reopen(grievance=case, user=officer, reason="new facts", version=3)
    services.grievance_reopen(grievance=case, user=supervisor, reason="new facts", version=3)
    case = fresh(case)
    assert case.status == Status.IN_PROGRESS and case.due_on == case.resolve_due


def test_duplicates_link_both_ways_and_the_complainant_never_reads_the_other_reference(case, category, officer):
    from tests.grievances.workspace.conftest import lodge

    duplicate = lodge(category)
    services.grievance_mark_duplicate(grievance=duplicate, user=officer, original=case, version=1)
    duplicate = fresh(duplicate)
    assert duplicate.status == Status.CLOSED and duplicate.duplicate_of == case
    public = duplicate.events.get(kind=K.DUPLICATE)
    assert public.public and case.reference not in public.body
    linked = case.events.get(kind=K.DUPLICATE_LINKED)
    assert not linked.public and linked.body == duplicate.reference
    assert fresh(case).version == case.version + 1


def test_duplicate_of_a_case_the_officer_cannot_see_is_refused(case, officer, sensitive_category):
    from tests.grievances.workspace.conftest import lodge

    hidden = lodge(sensitive_category)
    with pytest.raises(ValidationError):
        services.grievance_mark_duplicate(grievance=case, user=officer, original=hidden, version=1)


def test_bulk_assign_refuses_stale_rows_and_assigns_the_rest(category, supervisor, officer):
    from tests.grievances.workspace.conftest import lodge

    first, second = lodge(category), lodge(category)
    assigned, refused = services.grievances_bulk_assign(
        user=supervisor, items=[(first, 1), (second, 7)], assignee=officer
    )
    assert assigned == [first] and [g for g, _ in refused] == [second]
    assert fresh(first).assignee == officer and fresh(second).assignee is None


def test_a_sensitive_case_is_assigned_only_to_focal_points(sensitive_category, other_focal_point, outsider_officer):
    from tests.grievances.workspace.conftest import lodge

    grievance = lodge(sensitive_category)
    with pytest.raises(ValidationError):
        services.grievance_assign(grievance=grievance, user=other_focal_point, assignee=outsider_officer, version=1)
    services.grievance_assign(grievance=grievance, user=other_focal_point, assignee=other_focal_point, version=1)


def test_assisted_intake_records_the_channel_and_who_wrote_it(category, officer, beneficiary):
    lodged = services.grievance_lodge_assisted(
        user=officer,
        channel=Grievance.Channel.PHONE,
        category=category,
        description="Told by phone",
        contact_preference=Grievance.Contact.PHONE,
        contact_phone="+66 81 000 0000",
    )
    grievance = lodged.grievance
    assert (grievance.channel, grievance.recorded_by, grievance.complainant) == ("phone", officer, None)
    assert len(lodged.pin) == 6
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.grievance_lodge_assisted(
            user=beneficiary,
            channel="phone",
            category=category,
            description="x",
            contact_preference="none",
        )


def test_move_to_helper_still_puts_cases_in_states_for_the_complainant_tests(case):
    # The complainant-side fixtures write status directly; the queue copes with a missing due_on.
    moved = move_to(case, Status.IN_PROGRESS)
    assert moved.status == Status.IN_PROGRESS
