"""Websocket routes of the grievance streams (mounted by ``portal.asgi`` through settings)."""

from django.urls import path

from grievances.consumers import ComplainantCaseConsumer, QueueConsumer, StaffCaseConsumer

websocket_urlpatterns = [
    path("ws/grievances/<str:reference>/", ComplainantCaseConsumer.as_asgi()),
    path("ws/workspace/cases/<str:reference>/", StaffCaseConsumer.as_asgi()),
    path("ws/workspace/queue/<slug:agency>/", QueueConsumer.as_asgi()),
]
