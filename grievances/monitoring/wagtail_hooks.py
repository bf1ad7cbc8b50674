"""The monitoring wing's registrations with the portal (``portal.registry``)."""

from wagtail import hooks

from portal import registry


@hooks.register(registry.BACKGROUND_COMMANDS)
def statistics_refresh():
    # Public statistics are computed here, never per request (grievances.monitoring.public).
    return [["statistics_refresh", "--every", "600"]]
