"""The link between systemic issues and consultations, read from both ends.

An issue records the consultation it was raised in as an address or a page
id (grievances never import consultations). A consultation's page finds the
published issues raised in it by the addresses and id of the consultation and
of each of its translations, so whichever language an agency copied the
address from, the link holds.
"""

from __future__ import annotations

from django.db.models import Count
from wagtail.models import Page

from grievances.insights.models import SystemicIssue


def _names(page: Page) -> set[str]:
    names: set[str] = set()
    for each in page.get_translations(inclusive=True).only("id", "url_path", "locale_id"):
        names.add(str(each.pk))
        for url in (each.get_url(), each.get_full_url()):
            if url:
                names.update({url, url.rstrip("/")})
    return names


def published_issues_raised_in(page: Page) -> list[SystemicIssue]:
    """Published systemic issues whose recorded consultation is this page (in any of its languages)."""
    return list(
        SystemicIssue.objects.filter(published_at__isnull=False, consultation__in=_names(page))
        .select_related("owner")
        .annotate(cases=Count("links"))
        .order_by("-published_at")
    )
