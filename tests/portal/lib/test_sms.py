"""Text messages: the development backends stay out of production, and an unset backend sends nothing."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.lib import sms


def test_the_file_backend_never_runs_in_production(settings, tmp_path):
    settings.PRODUCTION = True
    settings.SMS_BACKEND = "portal.lib.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms.log"
    with pytest.raises(ImproperlyConfigured):
        sms.send_sms("+66 81 234 5678", "Your PIN is 123456")
    assert not (tmp_path / "sms.log").exists()


def test_with_the_sms_channel_off_nothing_is_sent_and_nothing_kept(settings, tmp_path, caplog):
    settings.SMS_BACKEND = ""
    settings.SMS_FILE_PATH = tmp_path / "sms.log"
    assert sms.send_sms("+66 81 234 5678", "Your PIN is 123456") == 0
    assert not (tmp_path / "sms.log").exists()
    assert "123456" not in caplog.text and "+66" not in caplog.text
