from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class PortalConfig(AppConfig):
    # Two AppConfig classes live here; this one is the app's.
    default = True
    name = "portal"
    verbose_name = _("Suara portal")

    def ready(self) -> None:
        from django.db.models.signals import post_delete
        from wagtail.models import Page
        from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

        from portal import checks  # noqa: F401 - registers system checks
        from portal.lib.pagecache import bump_generation

        # Any change to the page tree makes every stored public page stale.
        for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
            signal.connect(bump_generation, dispatch_uid=f"suara-pagecache-{signal!r}")
        post_delete.connect(bump_generation, sender=Page, dispatch_uid="suara-pagecache-delete")

        # Signing out ends the session's open websockets too (see portal.consumers).
        from django.contrib.auth.signals import user_logged_out

        from portal.consumers import end_session_streams

        user_logged_out.connect(end_session_streams, dispatch_uid="suara-end-session-streams")

        # Tasks run under the request id of whoever enqueued them.
        from portal.lib.observability import tasks as observed_tasks

        observed_tasks.connect()


class SuaraUsersAppConfig(WagtailUsersAppConfig):
    default = False
    # Our user model has a display name and a preferred language instead of
    # Wagtail's required first and last name (many people have one name).
    user_viewset = "portal.admin_users.UserViewSet"
