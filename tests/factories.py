"""Factories whose default text would break an unescaped template.

Every string carries markup, a right-to-left mark, Thai and an emoji, so a
test that renders one proves escaping and Unicode handling for free.
"""

import factory
from allauth.account.models import EmailAddress

from portal.models import Membership, Organization, User

HOSTILE = '<script>alert("x")</script>\u200f ทดสอบ 🙂 &amp; "quotes"'


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"{HOSTILE} {n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        if create:
            self.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"{HOSTILE} Union {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    kind = Organization.Kind.WORKERS
    verified = True
    country = "TH"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.MEMBER
