from django.urls import path

from grievances.offline import views

app_name = "offline"
urlpatterns = [
    path("", views.page, name="page"),
    path("sw.js", views.worker, name="worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("state/", views.state, name="state"),
    path("reserve/", views.reserve, name="reserve"),
    path("sync/", views.sync, name="sync"),
]
