"""Create the demo organizations and one account per role. Running it twice changes nothing."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal import demo, memberships, registry
from portal.models import Membership, Organization, User


class Command(BaseCommand):
    help = "Load Suara's demo data (organizations and a user for every role). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-accounts", action="store_true", help="Do not print the demo accounts.")

    @transaction.atomic
    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo refuses to run with DJANGO_ENV=production: demo accounts share one password.")
        created = 0
        organizations = {}
        for spec in demo.ORGANIZATIONS:
            organization, was_created = Organization.objects.get_or_create(
                slug=spec.slug,
                defaults={
                    "name": spec.name,
                    "short_name": spec.short_name,
                    "kind": spec.kind,
                    "region": spec.region,
                    "country": "TH",
                    "verified": True,
                },
            )
            organizations[spec.slug] = organization
            created += was_created
        for account in demo.ACCOUNTS:
            user = User.objects.filter(email__iexact=account.email).first()
            if user is None:
                user = User(email=account.email, display_name=account.display_name)
                user.set_password(demo.DEMO_PASSWORD)
                user.is_superuser = user.is_staff = account.superuser
                user.save()
                created += 1
            # Mandatory verification would otherwise stop demo sign-ins.
            EmailAddress.objects.get_or_create(
                user=user, email=account.email, defaults={"verified": True, "primary": True}
            )
            for slug, role in account.memberships:
                _, was_created = Membership.objects.get_or_create(
                    user=user, organization=organizations[slug], role=role
                )
                created += was_created
        users = {account.local_part: User.objects.get(email__iexact=account.email) for account in demo.ACCOUNTS}
        for seed in registry.demo_seeders():
            # Each app seeds its own world (cases, consultations) on top of ours.
            created += seed(organizations=organizations, users=users, stdout=self.stdout) or 0
        for organization in organizations.values():
            # Groups, collections and permissions follow the memberships, as after any change.
            memberships.memberships_follow(organization=organization)
        self.stdout.write(f"Demo data ready ({created} new rows).")
        if not options["quiet_accounts"]:
            self.stdout.write(accounts_table())


def accounts_table() -> str:
    lines = [f"Demo accounts (password for all: {demo.DEMO_PASSWORD}):"]
    width = max(len(a.email) for a in demo.ACCOUNTS)
    lines += [f"  {a.email.ljust(width)}  {a.what}" for a in demo.ACCOUNTS]
    return "\n".join(lines)
