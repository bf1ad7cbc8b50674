"""ASGI entry point: HTTP to Django, websockets through origin and auth checks.

Each app that streams registers its routes (``portal.registry``), so that
``portal`` never imports the apps built on it. The lifespan handler (``portal.lib.embedded``) lets
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

from portal import registry, routing
from portal.lib.embedded import Lifespan


def websocket_routes() -> list:
    return [*routing.websocket_urlpatterns, *registry.websocket_urlpatterns()]


application = Lifespan(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_routes()))),
        }
    ),
    background_commands=registry.background_commands,
)
