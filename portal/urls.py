from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from portal import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("my/", views.my_page, name="my"),
    path("grievances/", include("grievances.urls")),
    path("workspace/", include("grievances.workspace.urls")),
    # Wagtail serves every other address from the page tree.
    path("", include(wagtail_urls)),
]
