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


# --- consultations (tests/consultations) ---------------------------------------------
# Consultation pages live in Wagtail's tree, so they are made by
# `consultation_page(...)` below rather than a DjangoModelFactory; their
# questions and every text field are hostile by default.

HOSTILE_QUESTION_IDS = {
    "text": "00000000-0000-4000-8000-000000000001",
    "single": "00000000-0000-4000-8000-000000000002",
    "multi": "00000000-0000-4000-8000-000000000003",
    "scale": "00000000-0000-4000-8000-000000000004",
    "yes_no": "00000000-0000-4000-8000-000000000005",
}


def hostile_questions(*, text_limit: int = 200) -> list[dict]:
    """One question of every kind; wording and options carry markup, RTL marks, Thai and emoji."""
    ids = HOSTILE_QUESTION_IDS
    common = {"help_text": HOSTILE}
    return [
        {
            "type": "free_text",
            "id": ids["text"],
            "value": {**common, "question": f"Text {HOSTILE}", "required": True, "max_length": text_limit},
        },
        {
            "type": "single_choice",
            "id": ids["single"],
            "value": {
                **common,
                "question": f"Single {HOSTILE}",
                "required": True,
                "options": [f"A {HOSTILE}", "=B", "C"],
            },
        },
        {
            "type": "multiple_choice",
            "id": ids["multi"],
            "value": {
                **common,
                "question": f"Multi {HOSTILE}",
                "required": False,
                "options": ["X", "Y", f"Z {HOSTILE}"],
            },
        },
        {
            "type": "scale",
            "id": ids["scale"],
            "value": {
                **common,
                "question": f"Scale {HOSTILE}",
                "required": False,
                "low_label": "low",
                "high_label": "high",
            },
        },
        {
            "type": "yes_no",
            "id": ids["yes_no"],
            "value": {**common, "question": f"Yes/no {HOSTILE}", "required": False, "comment_max_length": 100},
        },
    ]


def consultation_page(parent, *, owner, opens_at, closes_at, slug=None, questions=None, **fields):
    """A published ConsultationPage under ``parent`` (a ConsultationIndexPage)."""
    from consultations.models import ConsultationPage

    consultation_page.counter = getattr(consultation_page, "counter", 0) + 1
    page = ConsultationPage(
        title=fields.pop("title", f"{HOSTILE} consultation {consultation_page.counter}"),
        slug=slug or f"consultation-{consultation_page.counter}",
        summary=fields.pop("summary", HOSTILE),
        owner_organization=owner,
        opens_at=opens_at,
        closes_at=closes_at,
        questions=hostile_questions() if questions is None else questions,
        **fields,
    )
    parent.add_child(instance=page)
    return type(page).objects.get(pk=page.pk)


class ResponseFactory(factory.django.DjangoModelFactory):
    """A submitted online response by an individual; pass `consultation` and, for tallies, use services."""

    class Meta:
        model = "consultations.Response"

    respondent = factory.SubFactory(UserFactory)
    respondent_name = factory.LazyAttribute(lambda o: o.respondent.get_full_name() if o.respondent else HOSTILE)
    stakeholder_group = "individuals"
    status = "submitted"
    publication = "named"
    answers = factory.LazyFunction(dict)
