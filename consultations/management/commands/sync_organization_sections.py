"""Give every organization with a section the right editors and approvers (after membership changes)."""

from django.core.management.base import BaseCommand

from consultations.models import OrganizationPage
from consultations.services import organization_section_ensure


class Command(BaseCommand):
    help = "Re-apply section pages' groups, permissions and workflow from current memberships. Idempotent."

    def handle(self, *args, **options):
        sections = OrganizationPage.objects.select_related("organization")
        for section in sections:
            organization_section_ensure(organization=section.organization, index_page=section.get_parent().specific)
        self.stdout.write(f"{sections.count()} section(s) synchronised.")
