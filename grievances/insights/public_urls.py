from django.urls import path

from grievances.insights import views

app_name = "you_said_we_did"
urlpatterns = [path("", views.you_said_we_did, name="index")]
