"""ASGI entry point: HTTP to Django, websockets through origin and auth checks.

Each app that streams lists its routes in ``<app>/routing.py``; the modules
are named in ``settings.SUARA_WEBSOCKET_ROUTING`` so that ``portal`` never
imports the apps built on it. The lifespan handler (``portal.lib.embedded``) lets
sends from other threads reach the in-memory layer, and in the embedded
default runs the task worker and background commands inside this process.
"""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ["SUARA_ASGI"] = "1"  # settings: no persistent database connections under ASGI

from portal.lib.env import ConfigError

try:
    from django.core.asgi import get_asgi_application

    django_asgi_app = get_asgi_application()
except ConfigError as exc:
    sys.exit(f"Configuration error: {exc}")

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.conf import settings
from django.utils.module_loading import import_string

from portal.lib.embedded import Lifespan


def websocket_routes() -> list:
    routes: list = []
    for module in settings.SUARA_WEBSOCKET_ROUTING:
        routes.extend(import_string(f"{module}.websocket_urlpatterns"))
    return routes


application = Lifespan(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_routes()))),
        }
    )
)
