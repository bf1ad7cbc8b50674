"""The SMS line's records follow the "sms" retention policy through the retention sweep."""

from datetime import timedelta

import pytest
from django.utils import timezone

from grievances.privacy.services import retention_sweep
from grievances.sms.models import Conversation, Message, Recipient
from tests.grievances.privacy.test_retention import closed_case

pytestmark = pytest.mark.django_db


def test_old_texts_conversations_and_numbers_of_long_closed_cases_are_forgotten(category):
    long_ago = timezone.now() - timedelta(days=200)
    case = closed_case(category, days_ago=200)
    recent_case = closed_case(category, days_ago=1)
    old_text = Message.objects.create(direction="in", gateway="twilio", status="received", created_at=long_ago)
    new_text = Message.objects.create(direction="in", gateway="twilio", status="received")
    Conversation.objects.create(number_hash="a" * 64, language="th", updated_at=long_ago)
    Conversation.objects.create(number_hash="b" * 64, language="th")
    Recipient.objects.create(grievance=case, number_hash="c" * 64, number_sealed="sealed")
    Recipient.objects.create(grievance=recent_case, number_hash="d" * 64, number_sealed="sealed")

    dry = retention_sweep(dry_run=True)
    assert (dry["sms_texts"], dry["sms_conversations"], dry["sms_numbers"]) == (1, 1, 1)
    assert Message.objects.count() == 2

    result = retention_sweep()
    assert (result["sms_texts"], result["sms_conversations"], result["sms_numbers"]) == (1, 1, 1)
    assert list(Message.objects.values_list("pk", flat=True)) == [new_text.pk] and old_text.pk != new_text.pk
    assert list(Conversation.objects.values_list("number_hash", flat=True)) == ["b" * 64]
    assert list(Recipient.objects.values_list("grievance_id", flat=True)) == [recent_case.pk]


def test_an_anonymised_case_loses_its_sealed_number_and_its_conversations_link_at_once(category):
    from grievances.privacy.models import Anonymisation
    from grievances.privacy.services import grievances_anonymise

    case = closed_case(category, days_ago=1)
    other = closed_case(category, days_ago=1)
    Recipient.objects.create(grievance=case, number_hash="e" * 64, number_sealed="sealed")
    Recipient.objects.create(grievance=other, number_hash="f" * 64, number_sealed="sealed")
    Conversation.objects.create(number_hash="e" * 64, language="th", grievance=case)

    assert grievances_anonymise(ids=[case.pk], reason=Anonymisation.Reason.ERASURE_REQUEST) == [case.pk]
    assert list(Recipient.objects.values_list("grievance_id", flat=True)) == [other.pk]
    assert Conversation.objects.get(number_hash="e" * 64).grievance_id is None
