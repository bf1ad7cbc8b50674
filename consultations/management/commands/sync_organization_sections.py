"""Repair: give every organization its groups, collection, editors and approvers again from current memberships."""

from django.core.management.base import BaseCommand

from consultations.models import OrganizationPage
from consultations.services import organization_section_ensure
from portal.memberships import memberships_follow
from portal.models import Organization


class Command(BaseCommand):
    help = "Re-apply section pages' groups, permissions and workflow from current memberships. Idempotent."

    def handle(self, *args, **options):
        sections = OrganizationPage.objects.select_related("organization")
        for section in sections:
            organization_section_ensure(organization=section.organization, index_page=section.get_parent().specific)
        # Memberships change groups at once (portal.memberships); this repairs what was changed behind its back.
        for organization in Organization.objects.all():
            memberships_follow(organization=organization)
        self.stdout.write(f"{sections.count()} section(s) synchronised.")
