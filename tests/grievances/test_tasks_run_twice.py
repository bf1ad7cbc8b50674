"""A task run twice (requeued after its worker died) sends its message once."""

import pytest

from grievances.models import Grievance
from grievances.notifications import send_acknowledgement, send_escalation
from grievances.pins import PIN_SEAL_PURPOSE
from grievances.services import grievance_lodge
from portal.lib.sealed import seal

pytestmark = pytest.mark.django_db


def test_the_acknowledgement_run_twice_is_sent_once_and_a_new_pin_is_sent_again(category, mailoutbox):
    grievance = grievance_lodge(
        category=category,
        description="My payment did not arrive.",
        contact_preference=Grievance.Contact.EMAIL,
        contact_email="somchai@example.org",
        anonymous=False,
    ).grievance
    sealed = seal("123456", purpose=PIN_SEAL_PURPOSE)

    assert send_acknowledgement.call(grievance.pk, sealed)["email"] is True
    assert send_acknowledgement.call(grievance.pk, sealed)["email"] is False
    assert len(mailoutbox) == 1

    send_acknowledgement.call(grievance.pk, seal("654321", purpose=PIN_SEAL_PURPOSE))
    assert len(mailoutbox) == 2


def test_an_acknowledgement_that_failed_to_send_is_sent_by_the_next_run(category, mailoutbox, monkeypatch):
    from django.core.mail import EmailMessage

    grievance = grievance_lodge(
        category=category,
        description="My payment did not arrive.",
        contact_preference=Grievance.Contact.EMAIL,
        contact_email="somchai@example.org",
        anonymous=False,
    ).grievance
    sealed = seal("123456", purpose=PIN_SEAL_PURPOSE)
    original = EmailMessage.send

    def broken(self, *args, **kwargs):
        raise ConnectionError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", broken)
    with pytest.raises(ConnectionError):
        send_acknowledgement.call(grievance.pk, sealed)
    monkeypatch.setattr(EmailMessage, "send", original)
    assert send_acknowledgement.call(grievance.pk, sealed)["email"] is True
    assert len(mailoutbox) == 1


def test_an_escalation_notice_run_twice_is_sent_once(lodged, officer, mailoutbox):
    grievance = lodged.grievance
    assert send_escalation.call(grievance.pk, 2, [officer.pk]) == 1
    assert send_escalation.call(grievance.pk, 2, [officer.pk]) == 0
    assert len(mailoutbox) == 1
