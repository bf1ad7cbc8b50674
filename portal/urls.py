from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from portal import views
from portal.lib.i18n import language_prefix_patterns

# A Wagtail page address: slug segments, each ending in a slash (CommonMiddleware adds a missing one).
PAGE_PATH = r"(?:[\w\-]+/)*"
# Wagtail's page pattern allows no dot; a page's own outcome.pdf (a consultation's
# report) goes through Wagtail's serve all the same: live check, view restrictions, routing.
OUTCOME_PDF_PATH = r"(?:[\w\-]+/)+outcome\.pdf"

urlpatterns = [
    # The public addresses of DESIGN.md stay unprefixed: they are printed on
    # posters and sent by text message, and follow the reader's language.
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("my/", views.my_page, name="my"),
    path("my/data/", views.my_data, name="my_data"),
    path("my/data.pdf", views.my_data_pdf, name="my_data_pdf"),
    path("my/delete/", views.my_delete, name="my_delete"),
    path("my/invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("grievances/", include("grievances.urls")),
    path("grievances/", include("grievances.privacy.urls")),
    path("grievances/", include("grievances.satisfaction.urls")),
    path("workspace/", include("grievances.workspace.urls")),
    path("workspace/privacy/", include("grievances.privacy.workspace_urls")),
    path("statistics/", include("grievances.monitoring.public_urls")),
    path("workspace/api/", include("grievances.api.workspace_urls")),
    path("workspace/field/", include("grievances.offline.urls")),
    path("workspace/insights/", include("grievances.insights.urls")),
    path("you-said-we-did/", include("grievances.insights.public_urls")),
    path("api/", include("grievances.api.urls")),
    # Gateways' webhooks, and the development phone at /dev/sms/ (404 unless SMS_DEV_GATEWAY).
    path("sms/", include("grievances.sms.urls")),
    path("dev/sms/", include("grievances.sms.dev_urls")),
    # Wagtail's own helpers for restricted pages (what wagtail.urls holds besides serving).
    path(
        "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/",
        wagtail_views.authenticate_with_password,
        name="wagtailcore_authenticate_with_password",
    ),
    path(
        "_util/login/",
        auth_views.LoginView.as_view(template_name="wagtailcore/login.html"),
        name="wagtailcore_login",
    ),
]

# Pages (Wagtail) live under a language prefix: /en/, /th/, /mya/ (Burmese;
# see portal.lib.i18n), so a shared link opens in the language it was shared in.
urlpatterns += language_prefix_patterns(
    re_path(rf"^({OUTCOME_PDF_PATH})$", views.serve_page),
    re_path(rf"^({PAGE_PATH})$", views.serve_page, name="wagtail_serve"),
)

# A page's unprefixed address (/, /consultations/...: on posters too) sends the
# reader on to it in their language; hreflang's x-default points here.
urlpatterns += [
    re_path(rf"^({OUTCOME_PDF_PATH}|{PAGE_PATH})$", views.page_in_reader_language, name="page_in_reader_language"),
]
