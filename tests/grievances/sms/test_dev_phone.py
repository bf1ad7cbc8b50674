"""The development phone at /dev/sms/: a gateway for make run and the browser tests, never in production."""

import json

from grievances.models import Category, Grievance
from portal.checks import sms_gateway_can_check_webhooks
from tests.portal.test_settings import PRODUCTION, manage


def test_the_development_phone_is_not_found_when_switched_off(client, db, settings):
    settings.SMS_DEV_GATEWAY = False
    assert client.get("/dev/sms/").status_code == 404
    assert client.post("/dev/sms/", {"number": "+66800000001", "body": "HELP"}).status_code == 404


def test_the_development_phone_texts_the_line_and_shows_the_replies(client, db, settings, category):
    settings.SMS_DEV_GATEWAY = True
    response = client.post("/dev/sms/", {"number": "+66 80 000 0001", "body": "HELP"}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "Describe the problem" in page
    assert not Grievance.objects.exists()


def test_the_development_phone_shows_notices_from_the_file_backend(client, db, settings, tmp_path):
    settings.SMS_DEV_GATEWAY = True
    settings.SMS_BACKEND = "portal.lib.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms.log"
    lines = [{"to": "+66800000001", "body": "A notice for me"}, {"to": "+66899999999", "body": "Not mine"}]
    settings.SMS_FILE_PATH.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    page = client.get("/dev/sms/").content.decode()
    assert "A notice for me" in page and "Not mine" not in page
    assert Category.objects.count() == 0


def test_production_never_serves_the_development_phone_even_when_asked(subprocess_env):
    env = {**subprocess_env, **PRODUCTION, "SMS_DEV_GATEWAY": "true"}
    result = manage(env, "shell", "-v", "0", "-c", "from django.conf import settings; print(settings.SMS_DEV_GATEWAY)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_a_twilio_gateway_without_its_auth_token_is_flagged_by_the_deploy_check(settings):
    settings.SMS_BACKEND = "portal.lib.sms.twilio.TwilioBackend"
    settings.TWILIO_AUTH_TOKEN = ""
    assert [warning.id for warning in sms_gateway_can_check_webhooks(None)] == ["suara.W009"]
    settings.TWILIO_AUTH_TOKEN = "set"
    assert sms_gateway_can_check_webhooks(None) == []
