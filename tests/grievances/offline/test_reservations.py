"""Reserved references: issued to one person on one device, ending with time, sign-out or the role."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grievances.offline import services
from grievances.offline.models import Reservation
from grievances.references import normalize_reference
from portal.models import Membership
from tests.factories import MembershipFactory

from .conftest import DEVICE, OTHER_DEVICE

pytestmark = pytest.mark.django_db


def test_a_batch_is_bound_to_person_device_and_organization(recorder, agency):
    issued = services.references_reserve(user=recorder, device_id=DEVICE, organization=agency, count=5)
    assert len(issued) == 5 and len({r.reference for r in issued}) == 5
    assert all(normalize_reference(r.reference) == r.reference for r in issued)
    rows = Reservation.objects.filter(user=recorder)
    assert rows.count() == 5
    row = rows.first()
    assert row.organization == agency
    assert row.device_digest == services.device_digest(DEVICE) and DEVICE not in row.device_digest
    # The PIN is kept sealed, never in clear.
    assert all(r.pin not in Reservation.objects.get(reference=r.reference).pin_sealed for r in issued)
    assert row.expires_at - row.issued_at == services.RECORD_WINDOW


def test_a_device_holds_at_most_the_outstanding_limit(recorder, agency):
    services.references_reserve(user=recorder, device_id=DEVICE, organization=agency, count=45)
    more = services.references_reserve(user=recorder, device_id=DEVICE, organization=agency, count=10)
    assert len(more) == services.MAX_OUTSTANDING - 45


def test_nobody_without_the_role_gets_references(agency, union, beneficiary):
    with pytest.raises(PermissionDenied):
        services.references_reserve(user=beneficiary, device_id=DEVICE, organization=agency)
    member = MembershipFactory(organization=union, role=Membership.Role.MEMBER).user
    with pytest.raises(PermissionDenied):
        services.references_reserve(user=member, device_id=DEVICE, organization=union)


def test_an_unverified_organization_gets_no_references(union):
    union.verified = False
    union.save()
    rep = MembershipFactory(organization=union, role=Membership.Role.REPRESENTATIVE).user
    with pytest.raises(PermissionDenied):
        services.references_reserve(user=rep, device_id=DEVICE, organization=union)


@pytest.mark.parametrize("device", ["", "short", "x" * 65, "spaces are not allowed here!!", None])
def test_a_device_must_identify_itself(recorder, agency, device):
    with pytest.raises(ValidationError):
        services.references_reserve(user=recorder, device_id=device, organization=agency)


def test_losing_the_role_revokes_the_unused_references(recorder, agency, union):
    services.references_reserve(user=recorder, device_id=DEVICE, organization=agency, count=3)
    services.references_reserve(user=recorder, device_id=DEVICE, organization=union, count=2)
    membership = Membership.objects.get(user=recorder, organization=agency)
    membership.active = False
    membership.save()
    revoked = Reservation.objects.filter(user=recorder, revoked_reason=Reservation.Revoked.ROLE_LOST)
    assert revoked.count() == 3 and {r.organization for r in revoked} == {agency}
    # The union mandate still holds.
    assert Reservation.objects.outstanding().filter(organization=union).count() == 2


def test_deleting_the_membership_revokes_too(recorder, union):
    services.references_reserve(user=recorder, device_id=DEVICE, organization=union, count=2)
    Membership.objects.filter(user=recorder, organization=union).delete()
    assert not Reservation.objects.outstanding().filter(user=recorder).exists()


def test_pending_reference_needs_its_own_pin(recorder, agency):
    (issued,) = services.references_reserve(user=recorder, device_id=DEVICE, organization=agency, count=1)
    assert services.pending_reference(issued.reference, "000000" if issued.pin != "000000" else "111111") is None
    found = services.pending_reference(issued.reference, issued.pin)
    assert found.issued_by == agency.name and found.reference == issued.reference


def test_sign_out_voids_only_that_devices_references(client, recorder, agency):
    client.force_login(recorder)
    services.references_reserve(user=recorder, device_id=OTHER_DEVICE, organization=agency, count=2)
    response = client.post(
        "/workspace/field/reserve/",
        {"device": DEVICE, "organization": agency.pk, "count": 3},
        content_type="application/json",
    )
    assert response.status_code == 201
    response = client.post("/accounts/logout/")
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert Reservation.objects.filter(revoked_reason=Reservation.Revoked.SIGNED_OUT).count() == 3
    assert Reservation.objects.outstanding().filter(device_digest=services.device_digest(OTHER_DEVICE)).count() == 2


def test_sign_out_of_someone_without_a_field_device_clears_nothing(client, beneficiary):
    client.force_login(beneficiary)
    assert "Clear-Site-Data" not in client.post("/accounts/logout/").headers


def test_expired_references_are_not_counted_as_held(recorder, agency):
    services.references_reserve(user=recorder, device_id=DEVICE, organization=agency, count=services.MAX_OUTSTANDING)
    Reservation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert len(services.references_reserve(user=recorder, device_id=DEVICE, organization=agency, count=4)) == 4


def test_a_reference_that_can_no_longer_arrive_is_not_on_its_way(recorder, agency):
    (issued,) = services.references_reserve(user=recorder, device_id=DEVICE, organization=agency, count=1)
    Reservation.objects.update(expires_at=timezone.now() - services.DRAFT_MAX_AGE - timedelta(minutes=1))
    assert services.pending_reference(issued.reference, issued.pin) is None
