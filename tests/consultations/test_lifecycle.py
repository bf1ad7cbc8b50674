"""A consultation's life by the clock: upcoming, open, closed, outcome; responses follow it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from consultations import services
from consultations.models import ConsultationPage, Response, ResponseChoice, State
from tests.consultations.conftest import DAY, Q, answers
from tests.factories import HOSTILE

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2030, 3, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def timed(index_page, ministry):
    from tests.factories import consultation_page

    return consultation_page(index_page, owner=ministry, opens_at=T0, closes_at=T0 + 14 * DAY)


@pytest.mark.smoke
def test_the_state_follows_the_dates_and_the_outcome(timed, frozen):
    second = datetime.timedelta(seconds=1)
    assert timed.state_at(T0 - second) == State.UPCOMING
    assert timed.state_at(T0) == State.OPEN
    assert timed.state_at(T0 + 14 * DAY - second) == State.OPEN
    assert timed.state_at(T0 + 14 * DAY) == State.CLOSED
    timed.outcome = [{"type": "paragraph", "value": "<p>Decided.</p>"}]
    assert timed.state_at(T0 + 14 * DAY) == State.OUTCOME
    # An outcome written early is not "published" before closing.
    assert timed.state_at(T0 + DAY) == State.OPEN
    frozen(T0 + 20 * DAY)
    assert timed.state == State.OUTCOME


def test_the_index_lists_consultations_by_state(client, timed, frozen, index_page):
    frozen(T0 - DAY)
    html = client.get(index_page.url).content.decode()
    assert html.index("Upcoming") < html.index("consultation-") < html.index("Closed")
    assert list(ConsultationPage.objects.upcoming(T0 - DAY)) == [timed]
    assert list(ConsultationPage.objects.open(T0 + DAY)) == [timed]
    assert list(ConsultationPage.objects.closed(T0 + 15 * DAY)) == [timed]


def test_nobody_responds_before_opening_and_after_closing(timed, frozen, beneficiary):
    for when in (T0 - DAY, T0 + 14 * DAY):
        frozen(when)
        with pytest.raises(PermissionDenied):
            services.response_submit(user=beneficiary, consultation=timed, answers=answers(), publication="named")
    assert not Response.objects.exists()


def test_a_draft_is_kept_returned_to_submitted_edited_and_then_frozen(timed, frozen, beneficiary):
    frozen(T0 + DAY)
    draft = services.response_save_draft(
        user=beneficiary, consultation=timed, answers={Q["text"]: "half"}, publication=None
    )
    assert draft.status == Response.Status.DRAFT and draft.publication == Response.Publication.NONE
    # A draft may leave required questions empty; submitting may not.
    with pytest.raises(ValidationError) as refused:
        services.response_submit(user=beneficiary, consultation=timed, answers={Q["text"]: "half"}, publication="named")
    assert f"q_{Q['single']}" in refused.value.message_dict

    frozen(T0 + 2 * DAY)
    submitted = services.response_submit(user=beneficiary, consultation=timed, answers=answers(), publication="named")
    assert submitted.pk == draft.pk and submitted.status == Response.Status.SUBMITTED
    first_submitted_at = submitted.submitted_at

    frozen(T0 + 3 * DAY)
    edited = services.response_save_draft(
        user=beneficiary, consultation=timed, answers=answers(**{Q["scale"]: "1"}), publication="anonymous"
    )
    # Saving a submitted response keeps it submitted, with its first submission time.
    assert edited.status == Response.Status.SUBMITTED and edited.submitted_at == first_submitted_at
    assert ResponseChoice.objects.get(response=edited, question_id=Q["scale"]).choice == "1"

    frozen(T0 + 14 * DAY)
    with pytest.raises(PermissionDenied):
        services.response_submit(user=beneficiary, consultation=timed, answers=answers(), publication="none")
    assert Response.objects.get().publication == "anonymous"


def test_one_response_per_person_per_capacity(consultation, union, union_rep):
    own = services.response_submit(user=union_rep, consultation=consultation, answers=answers(), publication="named")
    again = services.response_submit(user=union_rep, consultation=consultation, answers=answers(), publication="named")
    for_union = services.response_submit(
        user=union_rep, consultation=consultation, organization=union, answers=answers(), publication="named"
    )
    assert own.pk == again.pk != for_union.pk
    assert Response.objects.count() == 2
    assert for_union.stakeholder_group == "workers" and own.stakeholder_group == "individuals"


def test_another_representative_continues_the_organizations_response(consultation, union, union_rep):
    from portal.models import Membership
    from tests.factories import MembershipFactory

    colleague = MembershipFactory(organization=union, role=Membership.Role.REPRESENTATIVE).user
    draft = services.response_save_draft(
        user=union_rep, consultation=consultation, organization=union, answers={Q["text"]: "start"}
    )
    finished = services.response_submit(
        user=colleague, consultation=consultation, organization=union, answers=answers(), publication="named"
    )
    assert finished.pk == draft.pk and finished.respondent == union_rep


def test_answers_are_checked_by_the_service_not_only_the_form(consultation, beneficiary):
    with pytest.raises(ValidationError) as refused:
        services.response_save_draft(
            user=beneficiary,
            consultation=consultation,
            answers={Q["text"]: "x" * 201, Q["single"]: "not an option", Q["multi"]: ["X", "W"]},
        )
    errors = refused.value.message_dict
    assert "200 characters" in errors[f"q_{Q['text']}"][0] and "201" in errors[f"q_{Q['text']}"][0]
    assert f"q_{Q['single']}" in errors and f"q_{Q['multi']}" in errors
    assert not Response.objects.exists()


def test_hostile_answers_are_stored_exactly_as_typed(consultation, beneficiary):
    response = services.response_submit(
        user=beneficiary, consultation=consultation, answers=answers(**{Q["text"]: HOSTILE}), publication="named"
    )
    response.refresh_from_db()
    assert response.answers[Q["text"]] == HOSTILE.strip()


def test_questions_people_answered_cannot_be_removed(consultation, beneficiary):
    services.response_submit(user=beneficiary, consultation=consultation, answers=answers(), publication="named")
    page = ConsultationPage.objects.get(pk=consultation.pk)
    page.questions = [block for block in page.questions.raw_data if block["id"] != Q["single"]]
    with pytest.raises(ValidationError):
        page.full_clean()
