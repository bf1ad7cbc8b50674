"""How it went, by text: after the decision's notice, one numbered question, then the second, through the one service."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from grievances import services
from grievances.models import Grievance
from grievances.satisfaction.models import Answer
from grievances.sms.models import Conversation, Message
from grievances.sms.numbers import number_hash
from grievances.sms.texts import render
from portal.lib import sms
from tests.grievances.sms.test_notices import NUMBER, act, texted  # noqa: F401 - the fixture
from tests.grievances.test_lodge import run_tasks

pytestmark = pytest.mark.django_db


def _in_thai(name, **values):
    # The case's language, which the line answers in.
    with translation.override("th"):
        return render(name, **values)


@pytest.fixture
def decided(texted, officer, django_capture_on_commit_callbacks):  # noqa: F811 - the imported fixture
    act(
        django_capture_on_commit_callbacks,
        services.grievance_resolve,
        texted,
        user=officer,
        decision=Grievance.Decision.UPHELD,
        reasons="We paid you.",
        remedy="Paid in full.",
    )
    return texted


def test_the_question_follows_the_decision_once_and_fits_its_segments(decided):
    kinds = list(Message.objects.filter(direction="out").values_list("kind", flat=True))
    assert kinds == ["resolved", "satisfaction"]
    question = sms.outbox[-1].body
    assert decided.reference in question and all(f"\n{n} " in question for n in (1, 2, 3))
    # In the complainant's language (this case was lodged in Thai), nothing left in English.
    assert decided.language == "th" and "Yes" not in question
    assert Message.objects.get(kind="satisfaction").segments <= 2
    run_tasks()
    assert Message.objects.filter(kind="satisfaction").count() == 1 and len(sms.outbox) == 2
    conversation = Conversation.objects.get(number_hash=number_hash(NUMBER))
    assert conversation.state == "rate_resolved"


def test_numbered_answers_are_recorded_through_the_service(decided, client):
    from tests.grievances.sms.conftest import Phone

    phone = Phone(client, number=NUMBER.replace(" ", ""))
    assert phone.reply("2") == _in_thai("rate_fair")
    answer = Answer.objects.get(grievance=decided)
    assert (answer.resolved, answer.fair, answer.channel) == ("partly", None, "sms")
    assert phone.reply("1") == _in_thai("rate_thanks")
    answer.refresh_from_db()
    assert answer.fair is True
    assert Conversation.objects.get(number_hash=number_hash(NUMBER)).state == "idle"
    # The next text is a message on the case again, as after any notice.
    assert decided.reference in phone.reply("One more thing")
    assert decided.events.filter(kind="complainant_message").count() == 1


def test_a_wrong_number_is_asked_again_and_words_go_to_the_case(decided, client):
    from tests.grievances.sms.conftest import Phone

    phone = Phone(client, number=NUMBER.replace(" ", ""))
    with translation.override("th"):  # the case's language, which the line answers in
        expected = render("pick_number")
    assert phone.reply("7") == expected
    assert not Answer.objects.exists()
    reply = phone.reply("Thanks, the money came")
    assert decided.reference in reply and not Answer.objects.exists()
    assert decided.events.filter(kind="complainant_message").count() == 1


def test_another_number_cannot_answer(decided, stranger):
    stranger.reply("1")
    assert not Answer.objects.exists()


def test_an_answer_after_the_window_is_refused_in_a_short_text(decided, client):
    from tests.grievances.sms.conftest import Phone

    phone = Phone(client, number=NUMBER.replace(" ", ""))
    phone.reply("3")
    Answer.objects.update(answered_at=timezone.now() - timedelta(days=20))
    assert phone.reply("2") == _in_thai("rate_too_late", reference=decided.reference)
    assert Answer.objects.get().fair is None


def test_a_question_left_a_week_no_longer_takes_a_bare_number(decided, client):
    from tests.grievances.sms.conftest import Phone

    Conversation.objects.update(updated_at=timezone.now() - timedelta(days=8))
    phone = Phone(client, number=NUMBER.replace(" ", ""))
    phone.reply("1")
    assert not Answer.objects.exists()
