import pytest

from grievances.models import CaseEvent, Category, Grievance, Region, SLAPolicy
from grievances.services import grievance_lodge
from grievances.workflow import Status
from tests.factories import HOSTILE


@pytest.fixture
def policy(db):
    return SLAPolicy.objects.create(
        name="Test policy",
        acknowledge_days=2,
        resolve_days=21,
        appeal_window_days=30,
        appeal_decision_days=30,
        at_risk_days=3,
    )


@pytest.fixture
def category(agency, policy):
    theme = Category.objects.create(name="Payments", agency=agency, sla_policy=policy)
    return Category.objects.create(parent=theme, name="Payment not received")


@pytest.fixture
def sensitive_category(other_agency, policy):
    theme = Category.objects.create(name="Harassment", agency=other_agency, sla_policy=policy, sensitive=True)
    return Category.objects.create(parent=theme, name="Sexual harassment")


@pytest.fixture
def region(db):
    return Region.objects.create(name="Khon Kaen", code="kkc")


@pytest.fixture
def lodged(category):
    """An anonymous grievance as lodged through the service, with its PIN."""
    return grievance_lodge(
        category=category,
        description=f"My payment did not arrive. {HOSTILE}",
        contact_preference=Grievance.Contact.NONE,
        anonymous=True,
    )


@pytest.fixture
def tracked_client(client, lodged):
    """A browser that has typed the right reference and PIN."""
    response = client.post("/grievances/track/", {"reference": lodged.grievance.reference, "pin": lodged.pin})
    assert response.status_code == 302
    return client


def move_to(
    grievance: Grievance,
    status: str,
    *,
    body: str = "",
    kind: str = CaseEvent.Kind.STATUS_CHANGED,
    public: bool = True,
    **fields,
) -> Grievance:
    """Put a case in a state as the agency's side would (that side has its own tests)."""
    Grievance.objects.filter(pk=grievance.pk).update(status=status, **fields)
    grievance.refresh_from_db()
    CaseEvent.objects.create(
        grievance=grievance, kind=kind, public=public, body=body, actor_label="Agency", status_after=status
    )
    return grievance


@pytest.fixture
def awaiting(lodged):
    return move_to(
        lodged.grievance,
        Status.AWAITING_COMPLAINANT,
        kind=CaseEvent.Kind.INFORMATION_REQUESTED,
        body="Which e-wallet do you use?",
    )
