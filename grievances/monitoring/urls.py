from django.urls import path

from grievances.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.index, name="index"),
    path("all/", views.all_dashboard, name="all"),
    path("all/indicators.csv", views.all_csv, name="all_csv"),
    path("agency/<str:agency>/", views.agency_dashboard, name="agency"),
    path("agency/<str:agency>/indicators.csv", views.agency_csv, name="agency_csv"),
    path("agency/<str:agency>/report.pdf", views.agency_report, name="agency_report"),
]
