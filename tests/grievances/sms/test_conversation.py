"""Lodging, following and answering a grievance by text, through the Twilio webhook."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from grievances import services
from grievances.models import CaseEvent, Category, Grievance
from grievances.sms.models import Conversation, Message, Recipient
from grievances.sms.numbers import number_hash
from grievances.workflow import Status
from tests.grievances.sms.conftest import Phone

REFERENCE = re.compile(r"SU-[0-9A-Z]{4}-[0-9A-Z]{4}")


@pytest.fixture
def menu(category, agency, policy):
    """Two themes, so the line asks for one; the first has two categories."""
    other_theme = Category.objects.create(name="Registration", agency=agency, sla_policy=policy)
    Category.objects.create(parent=other_theme, name="Cannot register")
    Category.objects.create(parent=category.parent, name="Wrong amount")
    return category


def lodge(phone: Phone, *, anonymous: bool, parts=("My payment did not arrive.", "Since March.")) -> tuple[str, str]:
    assert "1 Payments" in phone.reply("HELP")
    categories = phone.reply("1")
    assert "Payment not received" in categories
    number = re.search(r"(\d) Payment not received", categories).group(1)
    assert "DONE" in phone.reply(number)
    for part in parts:
        assert "DONE" in phone.reply(part)
    assert "1 Yes" in phone.reply("done")
    assert "Payment not received" in phone.reply("1" if anonymous else "2")
    answer = phone.reply("1")
    reference = REFERENCE.search(answer).group(0)
    pin = re.search(r"PIN (\d{6})", answer)
    return reference, pin.group(1) if pin else ""


def test_an_anonymous_grievance_lodged_by_text_keeps_no_number_staff_can_see(phone, menu):
    reference, pin = lodge(phone, anonymous=True)
    grievance = Grievance.objects.get(reference=reference)
    assert pin and grievance.anonymous and grievance.contact_phone == ""
    assert grievance.description == "My payment did not arrive.\nSince March."
    assert grievance.category == menu
    # Only the line keeps where notices go, sealed.
    recipient = Recipient.objects.get(grievance=grievance)
    assert phone.number not in recipient.number_sealed and recipient.number_hash == number_hash(phone.number)
    # No row of the SMS wing holds the number in clear.
    for row in Conversation.objects.values():
        assert phone.number not in str(row)
    for row in Message.objects.values():
        assert phone.number not in str(row)
    inbound = Message.objects.filter(direction="in", grievance=grievance).get()
    assert inbound.event.kind == CaseEvent.Kind.LODGED


def test_a_named_grievance_lodged_by_text_keeps_the_number_as_its_contact_and_sends_the_pin_apart(phone, menu):
    reference, pin = lodge(phone, anonymous=False)
    grievance = Grievance.objects.get(reference=reference)
    assert not pin, "the PIN travels in the acknowledgement, not twice"
    assert grievance.contact_phone == phone.number and grievance.contact_preference == Grievance.Contact.PHONE
    assert grievance.channel == Grievance.Channel.SMS
    assert not Recipient.objects.filter(grievance=grievance).exists()


def test_status_with_reference_and_pin_tells_the_state_in_plain_words(phone, stranger, menu):
    reference, pin = lodge(phone, anonymous=True)
    # Lower case, spaces and no dashes are how people copy a reference.
    messy = reference.lower().replace("-", " ")
    answer = stranger.reply(f"status {messy} {pin}")
    assert reference in answer and "Social Security Office" in answer and "due by" in answer


def test_wrong_pins_lock_a_stranger_but_never_the_number_the_case_texts(phone, stranger, menu):
    reference, pin = lodge(phone, anonymous=True)
    for _ in range(5):
        assert "do not match" in stranger.reply(f"STATUS {reference} 000000")
    assert "Too many wrong tries" in stranger.reply(f"STATUS {reference} {pin}")
    # The owner's phone has a lock of its own that strangers' failures never touch.
    assert reference in phone.reply(f"STATUS {reference} {pin}")


def test_an_answer_by_text_lands_on_the_case_as_the_answer_and_restarts_the_clock(phone, menu, officer):
    reference, _pin = lodge(phone, anonymous=True)
    grievance = Grievance.objects.get(reference=reference)
    services.grievance_request_information(
        grievance=grievance, user=officer, body="Which bank account?", version=grievance.version
    )
    answer = phone.reply("Account ending 1234")
    assert "deadline runs again" in answer
    grievance.refresh_from_db()
    assert grievance.status == Status.IN_PROGRESS
    event = grievance.events.get(kind=CaseEvent.Kind.INFORMATION_PROVIDED)
    assert event.body == "Account ending 1234" and event.by_complainant
    # The same service as the web: the pause is accounted for exactly as there.
    assert "paused_working_days" in event.payload and grievance.resolve_due.isoformat() == event.payload["resolve_due"]
    # A later text becomes a message on the case, from the SMS channel.
    assert reference in phone.reply("Any news?")
    message = grievance.events.get(kind=CaseEvent.Kind.MESSAGE_FROM_COMPLAINANT)
    assert Message.objects.get(event=message).direction == "in"


def test_texts_to_a_finished_case_are_refused_with_a_way_forward(phone, menu, officer):
    reference, _pin = lodge(phone, anonymous=True)
    grievance = Grievance.objects.get(reference=reference)
    services.grievance_withdraw(grievance=grievance)
    assert "HELP" in phone.reply("hello?")


def test_stop_ends_notices_and_says_how_to_restart_and_start_restores_them(phone, db):
    assert "START" in phone.reply("STOP")
    assert Conversation.objects.get(number_hash=number_hash(phone.number)).stopped
    assert "STOP" in phone.reply("start")
    assert not Conversation.objects.get(number_hash=number_hash(phone.number)).stopped


def test_lang_switches_the_line_and_the_case_language(phone, menu):
    reference, _pin = lodge(phone, anonymous=True)
    assert "ไทย" in phone.reply("LANG th")
    assert Grievance.objects.get(reference=reference).language == "th"
    assert "LANG" in phone.reply("LANG xx")


def test_a_language_keyword_starts_lodging_in_that_language(phone, menu):
    phone.reply("ร้องเรียน")
    assert Conversation.objects.get(number_hash=number_hash(phone.number)).language == "th"


def test_a_conversation_left_half_way_expires_and_one_word_starts_over(phone, menu, settings):
    phone.reply("HELP")
    phone.reply("1")
    Conversation.objects.update(updated_at=timezone.now() - timedelta(hours=settings.SMS_CONVERSATION_HOURS + 1))
    answer = phone.reply("2")
    assert "dropped after" in answer and "HELP" in answer
    assert Conversation.objects.get().state == Conversation.State.IDLE
    # Starting over mid-way is the keyword again.
    phone.reply("HELP")
    phone.reply("1")
    assert "1 Payments" in phone.reply("HELP")


@pytest.mark.parametrize(
    "body",
    [
        "",
        "x" * 1600,
        "🙂🙂🙂",
        "สวัสดี hello 你好",
        "STATUS SU-1234",
        "STATUS nonsense 12",
        "WHATEVER",
        "STATUS SU-2222-2222 123456",
    ],
)
def test_odd_texts_each_get_a_short_helpful_reply(phone, menu, body):
    replies = phone.send(body)
    assert len(replies) == 1 and 0 < len(replies[0]) <= 160
    assert not Grievance.objects.exists()


def test_odd_texts_in_the_middle_of_lodging_get_asked_again(phone, menu):
    phone.reply("HELP")
    assert "numbers" in phone.reply("🙂")
    assert "numbers" in phone.reply("99")
    phone.reply("1")
    phone.reply("1")
    assert "describe the problem first" in phone.reply("DONE")


def test_a_long_description_stops_at_what_one_grievance_takes(phone, menu):
    phone.reply("HELP")
    phone.reply("1")
    phone.reply("1")
    for _ in range(6):
        last = phone.reply("y" * 1600)
    assert "all we can take" in last


def test_a_loop_between_two_automatic_senders_stops_by_itself(phone, db, settings):
    settings.SMS_REPLIES_PER_NUMBER = 5
    answered = [bool(phone.send("WHATEVER")) for _ in range(8)]
    assert answered == [True] * 5 + [False] * 3
    assert Message.objects.filter(direction="in", status="dropped").count() == 3


def test_the_global_reply_rate_holds_for_everyone(phone, stranger, db, settings):
    settings.SMS_REPLIES_PER_MINUTE = 3
    answered = [bool(phone.send("x")) for _ in range(2)] + [bool(stranger.send("x")) for _ in range(2)]
    assert answered == [True, True, True, False]
