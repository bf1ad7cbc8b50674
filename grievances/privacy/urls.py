from django.urls import path

from grievances.privacy import views

app_name = "grievances_privacy"

urlpatterns = [
    path("<str:reference>/data/", views.case_data, name="case_data"),
    path("<str:reference>/data.pdf", views.case_data_pdf, name="case_data_pdf"),
    path("<str:reference>/contact/", views.contact, name="contact"),
    path("<str:reference>/erase/", views.erase, name="erase"),
]
