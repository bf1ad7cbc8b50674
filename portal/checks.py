"""Deploy checks that Django's own do not cover."""

from django.conf import settings
from django.core.checks import Warning, register

from portal.lib import datakeys, fonts


@register(deploy=True)
def channel_layer_spans_processes(app_configs, **kwargs):
    if settings.CHANNEL_LAYERS["default"]["BACKEND"].endswith("InMemoryChannelLayer"):
        return [
            Warning(
                "REDIS_URL is not set: the in-memory channel layer reaches only browsers on the same process.",
                hint="Set REDIS_URL so web processes and task workers share live updates.",
                id="suara.W001",
            )
        ]
    return []


@register(deploy=True)
def sms_channel_is_configured(app_configs, **kwargs):
    if not settings.SMS_BACKEND:
        return [
            Warning(
                "SMS_BACKEND is not set: text messages are switched off, so complainants who gave only a phone "
                "number receive no acknowledgement.",
                hint="Set SMS_BACKEND to your SMS gateway's class to send acknowledgements by text message.",
                id="suara.W008",
            )
        ]
    return []


@register(deploy=True)
def sms_gateway_can_check_webhooks(app_configs, **kwargs):
    # Without the auth token every signed webhook is refused: nobody could text the line.
    if settings.SMS_BACKEND.endswith(".TwilioBackend") and not settings.TWILIO_AUTH_TOKEN:
        return [
            Warning(
                "SMS_BACKEND is the Twilio backend but TWILIO_AUTH_TOKEN is not set: every inbound text is refused.",
                hint="Set TWILIO_AUTH_TOKEN (or TWILIO_AUTH_TOKEN_FILE) to the account's auth token.",
                id="suara.W009",
            )
        ]
    if settings.SMS_BACKEND.endswith(".ExternalBackend") and not settings.EXTERNAL_SMS_SECRET:
        return [
            Warning(
                "SMS_BACKEND is the external-channel backend but EXTERNAL_SMS_SECRET is not set: "
                "every inbound text is refused.",
                hint="Set EXTERNAL_SMS_SECRET to a long random value and put it in the gateway's receive address.",
                id="suara.W009",
            )
        ]
    return []


@register()
def private_files_are_not_public(app_configs, **kwargs):
    from pathlib import Path

    from django.core.checks import Error

    private, public = Path(settings.PRIVATE_MEDIA_ROOT).resolve(), Path(settings.MEDIA_ROOT).resolve()
    if private == public or private.is_relative_to(public):
        return [
            Error(
                "PRIVATE_MEDIA_ROOT is inside MEDIA_ROOT: grievance attachments would be served to anyone.",
                hint="Point PRIVATE_MEDIA_ROOT at a folder outside MEDIA_ROOT.",
                id="suara.E001",
            )
        ]
    return []


@register()
def pdf_fonts_are_installed(app_configs, **kwargs):
    missing = fonts.missing_fonts()
    if missing:
        return [
            Warning(
                "Fonts for printed letters and reports are missing: " + ", ".join(missing) + ".",
                hint=f"Install Debian's {' '.join(fonts.packages_for(missing))}, or letters in those scripts print "
                "empty boxes.",
                id="suara.W007",
            )
        ]
    return []


@register(deploy=True)
def data_keys_are_not_the_development_key(app_configs, **kwargs):
    from django.core.checks import Error

    if datakeys.holds_development_key(settings.SUARA_DATA_KEYS):
        return [
            Error(
                "SUARA_DATA_KEYS holds the development key: personal data would be sealed with a published key.",
                hint="Set SUARA_DATA_KEYS (or SUARA_DATA_KEYS_FILE) to keys of your own; see docs/privacy.md.",
                id="suara.E002",
            )
        ]
    return []
