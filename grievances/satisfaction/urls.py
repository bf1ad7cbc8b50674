from django.urls import path

from grievances.satisfaction import views

app_name = "grievances_satisfaction"

urlpatterns = [
    path("<str:reference>/how-it-went/", views.answer, name="answer"),
]
