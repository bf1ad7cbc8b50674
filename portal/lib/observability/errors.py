"""An error reporter, only when the environment names one.

``SENTRY_DSN`` (or ``SENTRY_DSN_FILE``) switches it on; the package
``sentry-sdk`` is then needed and is not a dependency of Suara. Nothing about
people is sent: no request bodies, cookies or user details.
"""

from __future__ import annotations

import importlib

from portal.lib.env import ConfigError


def configure_error_reporter(dsn: str | None, *, environment: str, release: str = "") -> bool:
    if not dsn:
        return False
    try:
        sentry_sdk = importlib.import_module("sentry_sdk")
        django_integration = importlib.import_module("sentry_sdk.integrations.django")
    except ImportError:
        raise ConfigError(
            "SENTRY_DSN is set but the sentry-sdk package is not installed (pip install sentry-sdk)."
        ) from None
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[django_integration.DjangoIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=0.0,
    )
    return True
