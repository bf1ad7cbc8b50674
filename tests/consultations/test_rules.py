"""Who may do what with a consultation, as tables of role × state."""

import pytest
from django.contrib.auth.models import AnonymousUser

from consultations import rules
from consultations.models import ConsultationPage, Response, ResponseAttachment, State
from portal.models import Membership
from tests.factories import MembershipFactory, ResponseFactory, UserFactory

pytestmark = pytest.mark.django_db

R = Membership.Role
UPCOMING, OPEN, CLOSED, OUTCOME = State.UPCOMING, State.OPEN, State.CLOSED, State.OUTCOME


@pytest.fixture
def people(union, manager, ministry_officer, ministry):
    return {
        "anonymous": AnonymousUser(),
        "someone": UserFactory(),
        "union member": MembershipFactory(organization=union, role=R.MEMBER).user,
        "union representative": MembershipFactory(organization=union, role=R.REPRESENTATIVE).user,
        "union editor": MembershipFactory(organization=union, role=R.EDITOR).user,
        "owner admin": manager,
        "owner editor": MembershipFactory(organization=ministry, role=R.EDITOR).user,
        "owner case officer": ministry_officer,
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }


@pytest.mark.smoke
@pytest.mark.parametrize(
    ("who", "upcoming", "open", "closed", "outcome"),
    [
        ("anonymous", False, False, False, False),
        ("union member", False, False, False, False),
        ("union editor", False, False, False, False),
        ("union representative", False, True, False, False),
        ("owner admin", False, False, False, False),
    ],
)
def test_who_may_respond_for_the_union_in_each_state(consultation, union, people, who, upcoming, open, closed, outcome):
    user = people[who]
    for state, expected in ((UPCOMING, upcoming), (OPEN, open), (CLOSED, closed), (OUTCOME, outcome)):
        assert rules.can_respond(user, consultation, union, state) is expected, (who, state)


@pytest.mark.parametrize(
    ("who", "open"),
    [("anonymous", False), ("someone", True), ("union member", True), ("owner admin", True)],
)
def test_anyone_signed_in_may_respond_as_themselves_only_while_open(consultation, people, who, open):
    user = people[who]
    assert rules.can_respond(user, consultation, None, OPEN) is open
    for state in (UPCOMING, CLOSED, OUTCOME):
        assert rules.can_respond(user, consultation, None, state) is False


def test_an_invited_only_consultation_takes_only_invited_organizations(make_consultation, union, other_union, people):
    consultation = make_consultation("open", audience=ConsultationPage.Audience.INVITED)
    consultation.invited_organizations.set([union])
    consultation.save()
    rep = people["union representative"]
    other_rep = MembershipFactory(organization=other_union, role=R.REPRESENTATIVE).user
    assert rules.can_respond(rep, consultation, union, OPEN)
    assert not rules.can_respond(other_rep, consultation, other_union, OPEN)
    assert not rules.can_respond(people["someone"], consultation, None, OPEN)
    assert rules.capacities(rep, consultation) == [union]


@pytest.mark.parametrize(
    ("who", "manage", "enter"),
    [
        ("anonymous", False, False),
        ("someone", False, False),
        ("union representative", False, False),
        ("owner case officer", False, True),
        ("owner editor", True, True),
        ("owner admin", True, True),
        ("superuser", True, True),
    ],
)
def test_who_runs_the_consultation(consultation, people, who, manage, enter):
    user = people[who]
    assert rules.can_manage_consultation(user, consultation) is manage
    assert rules.can_export_responses(user, consultation) is manage
    assert rules.can_moderate_responses(user, consultation) is manage
    # Themes and codes of the written answers (every answer, "do not publish" ones too): the managers.
    assert rules.can_analyse_answers(user, consultation) is manage
    # Paper responses may be keyed in while open and after closing, until the outcome.
    for state, expected in ((UPCOMING, False), (OPEN, enter), (CLOSED, enter), (OUTCOME, False)):
        assert rules.can_enter_responses(user, consultation, state) is expected, (who, state)


@pytest.mark.parametrize(
    ("who", "upcoming", "open", "closed", "outcome"),
    [
        ("anonymous", False, False, True, True),
        ("union representative", False, False, True, True),
        ("owner case officer", False, False, True, True),
        ("owner admin", True, True, True, True),
    ],
)
def test_results_are_public_after_closing_and_for_the_owner_always(
    consultation, people, who, upcoming, open, closed, outcome
):
    for state, expected in ((UPCOMING, upcoming), (OPEN, open), (CLOSED, closed), (OUTCOME, outcome)):
        assert rules.can_see_results(people[who], consultation, state) is expected, (who, state)


@pytest.mark.parametrize(
    ("who", "open", "closed"),
    [
        ("union representative", True, False),
        ("union member", False, False),
        ("owner admin", False, False),
        ("someone", False, False),
    ],
)
def test_an_organizations_response_is_edited_by_its_representatives_until_closing(
    consultation, union, people, who, open, closed
):
    response = ResponseFactory(consultation=consultation, organization=union, stakeholder_group="workers")
    assert rules.can_edit_response(people[who], response, OPEN) is open
    assert rules.can_edit_response(people[who], response, CLOSED) is closed


def test_a_persons_own_response_is_theirs_alone(consultation, people):
    response = ResponseFactory(consultation=consultation)
    assert rules.can_edit_response(response.respondent, response, OPEN)
    assert not rules.can_edit_response(people["someone"], response, OPEN)
    assert not rules.can_edit_response(response.respondent, response, CLOSED)


@pytest.mark.parametrize(
    ("publication", "hidden", "public_reads", "public_downloads"),
    [
        ("named", False, True, True),
        ("anonymous", False, True, False),  # an anonymous paper could carry its author's name
        ("none", False, False, False),
        ("named", True, False, False),
    ],
)
def test_who_reads_a_response_and_its_files(consultation, people, publication, hidden, public_reads, public_downloads):
    from django.utils import timezone

    response = ResponseFactory(
        consultation=consultation, publication=publication, hidden_at=timezone.now() if hidden else None
    )
    attachment = ResponseAttachment(
        response=response, storage_name="x", display_name="x.pdf", content_type="application/pdf", size=1, sha256="0"
    )
    for who in ("anonymous", "someone"):
        assert rules.can_read_response(people[who], response) is public_reads
        assert rules.can_download_attachment(people[who], attachment) is public_downloads
    for who in ("owner admin", "superuser"):
        assert rules.can_read_response(people[who], response)
        assert rules.can_download_attachment(people[who], attachment)
    assert rules.can_read_response(response.respondent, response)
    assert rules.can_report_response(people["someone"], response) is public_reads
    assert not rules.can_report_response(people["anonymous"], response)


@pytest.mark.parametrize(
    ("role", "edit", "publish"),
    [(R.MEMBER, False, False), (R.REPRESENTATIVE, False, False), (R.EDITOR, True, False), (R.ADMIN, True, True)],
)
def test_who_writes_and_who_publishes_an_organizations_positions(union, other_union, role, edit, publish):
    user = MembershipFactory(organization=union, role=role).user
    assert rules.can_edit_section(user, union) is edit
    assert rules.can_publish_section(user, union) is publish
    assert not rules.can_edit_section(user, other_union)
    assert not rules.can_publish_section(user, other_union)


def test_response_defaults_are_not_published(consultation):
    assert not Response(consultation=consultation, status="draft", publication="named").is_published
