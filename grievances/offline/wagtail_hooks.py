"""What the field-visit wing lends the portal: a block of /my/ for the people who record on visits."""

from wagtail import hooks

from grievances.offline import services
from grievances.offline.models import Reservation
from portal import registry


@hooks.register(registry.MY_PAGE_SECTION)
def field_visits(request):
    # Union representatives have no workspace: /my/ is where they find the page.
    organizations = services.recording_organizations(request.user)
    if not organizations:
        return None
    unused = Reservation.objects.outstanding().filter(user=request.user).count()
    return "grievances/offline/my_section.html", {"organizations": organizations, "unused": unused}
