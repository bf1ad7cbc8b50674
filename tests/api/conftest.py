import pytest

from grievances.api.services import api_token_create
from grievances.models import Category, Grievance, SLAPolicy
from grievances.services import grievance_lodge
from portal.models import Membership
from tests.factories import HOSTILE, MembershipFactory


@pytest.fixture
def policy(db):
    return SLAPolicy.objects.create(name="API test policy")


@pytest.fixture
def category(agency, policy):
    theme = Category.objects.create(name="Payments", agency=agency, sla_policy=policy)
    return Category.objects.create(parent=theme, name="Payment not received")


@pytest.fixture
def other_category(other_agency, policy):
    theme = Category.objects.create(name="Wages", agency=other_agency, sla_policy=policy)
    return Category.objects.create(parent=theme, name="Wages not paid")


@pytest.fixture
def sensitive_category(agency, policy):
    theme = Category.objects.create(name="Harassment", agency=agency, sla_policy=policy, sensitive=True)
    return Category.objects.create(parent=theme, name="Sexual harassment")


@pytest.fixture
def supervisor(agency):
    return MembershipFactory(organization=agency, role=Membership.Role.SUPERVISOR).user


@pytest.fixture
def focal_supervisor(agency):
    return MembershipFactory(organization=agency, role=Membership.Role.SUPERVISOR, focal_point=True).user


@pytest.fixture
def other_supervisor(other_agency):
    return MembershipFactory(organization=other_agency, role=Membership.Role.SUPERVISOR).user


def lodge(category, **fields):
    fields.setdefault("description", f"My payment did not arrive. {HOSTILE}")
    fields.setdefault("contact_preference", Grievance.Contact.NONE)
    fields.setdefault("anonymous", True)
    return grievance_lodge(category=category, **fields)


@pytest.fixture
def case(category):
    return lodge(category).grievance


@pytest.fixture
def other_case(other_category):
    return lodge(other_category).grievance


@pytest.fixture
def sensitive_case(sensitive_category):
    return lodge(sensitive_category).grievance


@pytest.fixture
def read_token(agency, supervisor):
    return api_token_create(organization=agency, user=supervisor, name="Dashboard", scope="read").secret


@pytest.fixture
def write_token(agency, supervisor):
    return api_token_create(organization=agency, user=supervisor, name="SMS gateway", scope="read_write").secret


@pytest.fixture
def sensitive_token(agency, focal_supervisor):
    return api_token_create(
        organization=agency, user=focal_supervisor, name="Focal system", scope="read_write", sensitive=True
    ).secret


@pytest.fixture
def other_token(other_agency, other_supervisor):
    return api_token_create(
        organization=other_agency, user=other_supervisor, name="Labour system", scope="read_write"
    ).secret


class Api:
    """A test client that speaks JSON with a bearer token."""

    def __init__(self, client):
        self.client = client

    def _headers(self, token):
        return {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path, token=None, **params):
        return self.client.get(path, params, headers=self._headers(token))

    def post(self, path, data=None, token=None):
        return self.client.post(path, data or {}, content_type="application/json", headers=self._headers(token))


@pytest.fixture
def api(client):
    return Api(client)
