from django.apps import AppConfig
from wagtail.users.apps import WagtailUsersAppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Suara portal"

    def ready(self) -> None:
        from portal import checks  # noqa: F401 - registers system checks


class SuaraUsersAppConfig(WagtailUsersAppConfig):
    # Our user model has a display name and a preferred language instead of
    # Wagtail's required first and last name (many people have one name).
    user_viewset = "portal.admin_users.UserViewSet"
