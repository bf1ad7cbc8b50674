from django.urls import path

from grievances.monitoring import public

app_name = "statistics"
urlpatterns = [
    path("", public.statistics_page, name="index"),
]
