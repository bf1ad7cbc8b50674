from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from portal import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("my/", views.my_page, name="my"),
    path("my/invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("grievances/", include("grievances.urls")),
    path("workspace/", include("grievances.workspace.urls")),
    path("statistics/", include("grievances.monitoring.public_urls")),
    path("workspace/api/", include("grievances.api.workspace_urls")),
    path("api/", include("grievances.api.urls")),
    # Wagtail's page pattern allows no dot; a page's own outcome.pdf (a consultation's
    # report) goes through Wagtail's serve all the same: live check, view restrictions, routing.
    re_path(r"^((?:[\w\-]+/)+outcome\.pdf)$", wagtail_views.serve),
    # Wagtail serves every other address from the page tree.
    path("", include(wagtail_urls)),
]
