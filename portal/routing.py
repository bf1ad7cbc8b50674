from django.urls import path

from portal.consumers import PersonalStreamConsumer

websocket_urlpatterns = [
    path("ws/my/", PersonalStreamConsumer.as_asgi()),
]
