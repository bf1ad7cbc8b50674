"""WSGI entry point: plain HTTP pages served by sync workers (gunicorn) in production."""

import gc
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from portal.lib.env import ConfigError

try:
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
except ConfigError as exc:
    sys.exit(f"Configuration error: {exc}")

# Everything loaded so far (Django, Wagtail, the URL and template machinery)
# lives as long as the worker: keep it out of the collector's way, so a full
# collection walks only what requests create, not the whole heap. Under a
# preforking server this also keeps shared memory pages from being copied.
gc.freeze()
