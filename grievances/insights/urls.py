from django.urls import path

from grievances.insights import views

app_name = "insights"
urlpatterns = [
    path("", views.themes, name="themes"),
    path("themes/<int:pk>/", views.theme, name="theme"),
    path("issues/", views.issue_list, name="issues"),
    path("issues/new/", views.issue_from_theme, name="issue_from_theme"),
    path("issues/<int:pk>/", views.issue, name="issue"),
]
