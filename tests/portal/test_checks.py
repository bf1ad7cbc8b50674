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


def test_a_missing_font_for_an_offered_script_is_named_by_the_check(monkeypatch):
    from django.core.checks import run_checks

    from portal.lib import fonts

    installed = fonts.installed_font_families() | set(fonts.REQUIRED_FONTS)
    monkeypatch.setattr(fonts, "installed_font_families", lambda: installed - {"Noto Sans CJK SC", "Noto Sans Khmer"})
    warnings = [message for message in run_checks() if message.id == "suara.W007"]
    assert len(warnings) == 1 and warnings[0].level == 30  # a warning: start-up goes on
    assert "Noto Sans CJK SC (Chinese: zh-hans)" in warnings[0].msg
    assert "Noto Sans Khmer (Khmer: km)" in warnings[0].msg
    assert "fonts-noto-cjk" in warnings[0].hint and "fonts-noto-core" in warnings[0].hint


def test_every_script_the_portal_offers_has_a_required_font():
    from portal.lib import fonts

    scripts = {script for script, _languages, _package in fonts.REQUIRED_FONTS.values()}
    for script in ("Thai", "Lao", "Khmer", "Myanmar", "Bengali", "Devanagari", "Arabic script", "Chinese"):
        assert script in scripts
    assert "vi" in fonts.REQUIRED_FONTS["Noto Sans"][1].split()
