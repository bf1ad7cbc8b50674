"""Websocket routes of the grievance streams (registered for ``portal.asgi`` in ``wagtail_hooks``)."""

from django.urls import path

from grievances.live.consumers import ComplainantCaseConsumer, QueueConsumer, StaffCaseConsumer

websocket_urlpatterns = [
    path("ws/grievances/<str:reference>/", ComplainantCaseConsumer.as_asgi()),
    path("ws/workspace/cases/<str:reference>/", StaffCaseConsumer.as_asgi()),
    path("ws/workspace/queue/<slug:agency>/", QueueConsumer.as_asgi()),
]
