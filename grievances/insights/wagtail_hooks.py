"""The insights wing's registrations with the portal (``portal.registry``)."""

from wagtail import hooks

from portal import registry


@hooks.register(registry.BACKGROUND_COMMANDS)
def insights_refresh():
    # Themes are recomputed here, never per request; new cases are placed by the task worker meanwhile.
    return [["insights_refresh", "--every", "3600"]]
