from django.urls import include, path

from grievances.workspace import views

app_name = "workspace"
urlpatterns = [
    path("", views.index, name="index"),
    path("intake/", views.intake, name="intake"),
    path("monitoring/", include("grievances.monitoring.urls")),
    path("intake/<str:reference>/slip/", views.slip, name="slip"),
    path("queue/<str:agency>/", views.queue, name="queue"),
    path("queue/<str:agency>/assign/", views.bulk_assign, name="bulk_assign"),
    path("cases/<str:reference>/", views.case, name="case"),
    path("cases/<str:reference>/access/", views.access_log, name="access_log"),
    path("cases/<str:reference>/outcome.pdf", views.outcome_letter, name="outcome_letter"),
    path("cases/<str:reference>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("cases/<str:reference>/<slug:name>/", views.action, name="action"),
]
