from django.urls import path

from grievances.sms import views

app_name = "sms"
urlpatterns = [
    path("twilio/inbound/", views.twilio_inbound, name="twilio_inbound"),
    path("twilio/status/", views.twilio_status, name="twilio_status"),
    path("external/<str:secret>/receive/", views.external_receive, name="external_receive"),
    path("external/<str:secret>/<str:status>/", views.external_status, name="external_status"),
]
