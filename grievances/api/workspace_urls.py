from django.urls import path

from grievances.api import views

app_name = "workspace_api"
urlpatterns = [
    path("<str:agency>/", views.integrations, name="integrations"),
    path("<str:agency>/tokens/", views.token_create, name="token_create"),
    path("<str:agency>/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("<str:agency>/webhooks/", views.webhook_create, name="webhook_create"),
    path("<str:agency>/webhooks/<int:pk>/", views.webhook_detail, name="webhook"),
    path("<str:agency>/webhooks/<int:pk>/off/", views.webhook_deactivate, name="webhook_deactivate"),
]
