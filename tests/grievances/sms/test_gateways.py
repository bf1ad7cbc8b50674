"""The gateways' protocols: Twilio's signature, TwiML and REST shape; the external channel's receive and send."""

import base64
import json

import pytest

from grievances.models import Grievance
from grievances.sms import outbound
from grievances.sms.models import Message
from portal.lib.sms import SMS, external, twilio
from portal.lib.sms.http import GatewayError
from tests.grievances.sms.conftest import TOKEN, URL, signed_post

STATUS_URL = "http://localhost:8000/sms/twilio/status/"


def test_the_signature_matches_twilios_published_example():
    # From Twilio's documentation of webhook security (auth token 12345).
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+12349013030",
        "Digits": "1234",
        "From": "+12349013030",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert twilio.signature("12345", url, params) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    assert twilio.is_valid("12345", url, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    assert not twilio.is_valid("12345", url, {**params, "Digits": "1235"}, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    assert not twilio.is_valid("54321", url, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    # The same request signed with the port written out, as some proxies forward it.
    assert twilio.is_valid(
        "12345", "https://mycompany.com:443/myapp.php?foo=1&bar=2", params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    )


def test_twiml_escapes_what_people_write():
    assert twilio.twiml(["a < b & c"]) == (
        '<?xml version="1.0" encoding="UTF-8"?><Response><Message>a &lt; b &amp; c</Message></Response>'
    )
    assert twilio.twiml([]).endswith("<Response></Response>")


def fields(**extra):
    return {"From": "+66812345678", "To": "+6620000000", "Body": "HELP", "MessageSid": "SM" + "a" * 32, **extra}


@pytest.mark.parametrize("signature", ["", "bm90IGEgc2lnbmF0dXJl", None])
def test_unsigned_or_wrongly_signed_webhooks_are_refused_and_change_nothing(client, db, signature):
    data = fields()
    if signature is None:  # signed with another account's token
        response = signed_post(client, URL, data, token="another-token")
    else:
        response = signed_post(client, URL, data, signature=signature)
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_a_body_changed_after_signing_is_refused(client, db):
    good = twilio.signature(TOKEN, URL, fields())
    response = client.post("/sms/twilio/inbound/", fields(Body="STOP"), HTTP_X_TWILIO_SIGNATURE=good)
    assert response.status_code == 403


def test_a_replayed_webhook_is_refused_and_never_lodges_twice(client, db):
    assert signed_post(client, URL, fields()).status_code == 200
    again = signed_post(client, URL, fields())
    assert again.status_code == 403
    assert Message.objects.filter(direction="in").count() == 1


def test_the_status_callback_moves_a_message_forward_only(client, db):
    message = Message.objects.create(direction="out", gateway="twilio", gateway_id="SM1", status="sent", segments=1)
    callback = {"MessageSid": "SM1", "MessageStatus": "delivered", "AccountSid": "AC1"}
    assert signed_post(client, STATUS_URL, callback).status_code == 204
    message.refresh_from_db()
    assert message.status == "delivered"
    signed_post(client, STATUS_URL, {**callback, "MessageStatus": "sent"})
    message.refresh_from_db()
    assert message.status == "delivered"
    assert signed_post(client, STATUS_URL, callback, token="wrong").status_code == 403


def test_the_rest_backend_speaks_twilios_message_api(twilio_gateway, settings):
    sent = twilio.TwilioBackend().send(SMS(to="+66812345678", body="Hello ไทย", reference="7"))
    assert sent.gateway_id.startswith("SM") and sent.status == "queued"
    [request] = twilio_gateway.requests
    assert request["path"] == f"/2010-04-01/Accounts/{settings.TWILIO_ACCOUNT_SID}/Messages.json"
    assert request["form"] == {
        "To": "+66812345678",
        "Body": "Hello ไทย",
        "From": "+6620000000",
        "StatusCallback": "http://localhost:8000/sms/twilio/status/",
    }
    user, password = base64.b64decode(request["headers"]["Authorization"].split()[1]).decode().split(":")
    assert (user, password) == (settings.TWILIO_ACCOUNT_SID, TOKEN)


@pytest.mark.parametrize(("status", "retry"), [(500, True), (429, True), (400, False)])
def test_the_rest_backend_says_whether_a_refusal_is_worth_retrying(twilio_gateway, status, retry):
    twilio_gateway.fail_with = [status]
    with pytest.raises(GatewayError) as refused:
        twilio.TwilioBackend().send(SMS(to="+66812345678", body="x"))
    assert refused.value.retry is retry


# --- the external channel (RapidPro / TextIt) ------------------------------------------------


@pytest.fixture
def external_channel(gateway, settings, db):
    settings.EXTERNAL_SMS_SECRET = "s3cret-channel-uuid"
    settings.SMS_BACKEND = "portal.lib.sms.external.ExternalBackend"
    settings.EXTERNAL_SMS_SEND_URL = gateway.url + "/send?to={{to_no_plus}}"
    settings.EXTERNAL_SMS_FROM = "+6620000000"
    return gateway


def test_the_external_channel_receives_and_queues_the_reply_through_its_send_address(client, external_channel):
    response = client.post(
        "/sms/external/s3cret-channel-uuid/receive/",
        {"from": "+66812345678", "text": "STOP", "date": "2026-11-30T05:00:00Z"},
    )
    assert response.status_code == 200
    [queued] = json.loads(response.content)["queued"]
    assert outbound.attempt(queued) is True
    [request] = external_channel.requests
    assert request["path"] == "/send?to=66812345678"
    assert request["form"]["to"] == "+66812345678" and request["form"]["id"] == str(queued)
    assert "START" in request["form"]["text"]
    # The same message again (same sender, time and text) is a replay.
    again = client.post(
        "/sms/external/s3cret-channel-uuid/receive/",
        {"from": "+66812345678", "text": "STOP", "date": "2026-11-30T05:00:00Z"},
    )
    assert again.status_code == 403
    # Delivery reports name our id.
    assert client.post(f"/sms/external/s3cret-channel-uuid/delivered/?id={queued}").status_code == 204
    assert Message.objects.get(pk=queued).status == "delivered"


def test_the_external_channel_refuses_a_wrong_secret(client, external_channel):
    response = client.post("/sms/external/guess/receive/", {"from": "+66812345678", "text": "HELP"})
    assert response.status_code == 403
    assert client.get("/sms/external/guess/delivered/?id=1").status_code == 403
    assert not Message.objects.exists()


def test_the_external_channel_fills_a_json_body_escaped(external_channel, settings):
    settings.EXTERNAL_SMS_SEND_CONTENT_TYPE = "json"
    settings.EXTERNAL_SMS_SEND_BODY = '{"to": "{{to}}", "text": "{{text}}"}'
    external.ExternalBackend().send(SMS(to="+66812345678", body='He said "hi"\nbye', reference="9"))
    body = json.loads(external_channel.requests[0]["body"])
    assert body == {"to": "+66812345678", "text": 'He said "hi"\nbye'}


def test_no_secret_configured_opens_nothing(client, db, settings):
    settings.EXTERNAL_SMS_SECRET = ""
    assert client.post("/sms/external//receive/", {"from": "+1", "text": "x"}).status_code in (403, 404)
    assert not external.secret_matches("")
    assert not Grievance.objects.exists()
