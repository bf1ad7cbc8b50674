"""WSGI entry point: plain HTTP pages served by sync workers (gunicorn) in production."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from portal.env import ConfigError

try:
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
except ConfigError as exc:
    sys.exit(f"Configuration error: {exc}")
