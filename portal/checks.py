"""Deploy checks that Django's own do not cover."""

from django.conf import settings
from django.core.checks import Warning, register


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
