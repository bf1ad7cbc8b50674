"""Who may act for an organization, as one table of role × organization."""

import pytest

from portal.models import Membership
from portal.rules import can_act_for, has_staff_role, organizations_user_can_act_for
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

R = Membership.Role


@pytest.mark.smoke
@pytest.mark.parametrize(
    ("role", "own", "other"),
    [
        (R.MEMBER, False, False),
        (R.REPRESENTATIVE, True, False),
        (R.ADMIN, True, False),
        (R.EDITOR, False, False),
        (R.CASE_OFFICER, False, False),
        (R.SUPERVISOR, False, False),
    ],
)
def test_who_may_act_for_their_own_organization_and_never_for_another(union, other_union, role, own, other):
    user = MembershipFactory(organization=union, role=role).user
    assert can_act_for(user, union) is own
    assert can_act_for(user, other_union) is other
    assert (union in organizations_user_can_act_for(user)) is own
    assert other_union not in organizations_user_can_act_for(user)


def test_a_representative_of_an_unverified_body_cannot_act_for_it():
    unverified = OrganizationFactory(verified=False)
    rep = MembershipFactory(organization=unverified, role=R.REPRESENTATIVE).user
    assert not can_act_for(rep, unverified)


def test_a_suspended_mandate_no_longer_lets_anyone_act(union):
    membership = MembershipFactory(organization=union, role=R.REPRESENTATIVE)
    membership.active = False
    membership.save()
    assert not can_act_for(membership.user, union)


def test_anonymous_and_inactive_users_act_for_nobody(union):
    from django.contrib.auth.models import AnonymousUser

    assert not can_act_for(AnonymousUser(), union)
    rep = MembershipFactory(organization=union, role=R.REPRESENTATIVE).user
    rep.is_active = False
    assert not can_act_for(rep, union)


@pytest.mark.parametrize(
    ("role", "staff"),
    [
        (R.MEMBER, False),
        (R.REPRESENTATIVE, False),
        (R.CASE_OFFICER, True),
        (R.SUPERVISOR, True),
        (R.EDITOR, True),
        (R.ADMIN, True),
    ],
)
def test_staff_roles_are_the_ones_that_need_a_second_factor(union, role, staff):
    assert has_staff_role(MembershipFactory(organization=union, role=role).user) is staff
    assert not has_staff_role(UserFactory())
