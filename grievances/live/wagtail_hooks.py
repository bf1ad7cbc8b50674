"""The live wing's registrations: its websocket routes, mounted under /ws/ by ``portal.asgi``."""

from wagtail import hooks

from grievances.live.routing import websocket_urlpatterns


@hooks.register("suara_websocket_urlpatterns")
def grievance_streams():
    return websocket_urlpatterns
