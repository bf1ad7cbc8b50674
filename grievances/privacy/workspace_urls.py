from django.urls import path

from grievances.privacy import workspace_views

app_name = "workspace_privacy"

urlpatterns = [
    path("<str:agency>/", workspace_views.due, name="due"),
    path("<str:agency>/<str:reference>/hold/", workspace_views.hold, name="hold"),
    path("<str:agency>/erasure/<int:request_id>/", workspace_views.decide_erasure, name="decide_erasure"),
]
