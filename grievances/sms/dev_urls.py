from django.urls import path

from grievances.sms import dev

app_name = "sms_dev"
urlpatterns = [path("", dev.phone, name="phone")]
