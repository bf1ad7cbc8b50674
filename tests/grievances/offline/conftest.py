import pytest

from portal.models import Membership
from tests.factories import MembershipFactory

DEVICE = "device-aaaaaaaaaaaaaaaaaaaa"
OTHER_DEVICE = "device-bbbbbbbbbbbbbbbbbbbb"


@pytest.fixture(autouse=True)
def _no_second_factor(monkeypatch):
    # The second factor has its own tests; here the field-visit pages are the subject.
    monkeypatch.setattr("portal.middleware.needs_second_factor", lambda user: False)


@pytest.fixture
def recorder(agency, union):
    """An agency case officer who is also a representative of a verified union."""
    user = MembershipFactory(organization=agency, role=Membership.Role.CASE_OFFICER).user
    MembershipFactory(organization=union, role=Membership.Role.REPRESENTATIVE, user=user)
    return user


@pytest.fixture
def signed_in(client, recorder):
    client.force_login(recorder)
    return client
