"""Suara's own system checks are registered and catch what they are for."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

pytestmark = pytest.mark.django_db


def test_private_files_inside_the_public_media_root_stop_start_up(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    with pytest.raises(SystemCheckError, match=r"suara\.E001"):
        call_command("check")


def test_production_without_redis_is_warned_about_live_updates(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    from django.core.checks import run_checks

    ids = [message.id for message in run_checks(include_deployment_checks=True)]
    assert "suara.W001" in ids
