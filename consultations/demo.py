"""Demo consultations for ``manage.py seed_demo``: one open, one closed with its outcome.

The open one (digital wage payments and platform workers' social security)
has a few responses but none from the riders' union, so a demo user
(``union.rep``) can respond for it. The closed one has responses from every
stakeholder group, so its results page has something to show. Running it
twice changes nothing: everything is looked up by slug first.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from consultations import demo_translations
from consultations.answers import counted_choices
from consultations.models import (
    ConsultationIndexPage,
    ConsultationPage,
    OrganizationIndexPage,
    PositionStatementPage,
    Response,
    ResponseChoice,
    StakeholderGroup,
    Topic,
)
from consultations.services import consultation_owners_sync, organization_section_ensure
from home.models import HomePage

# Fixed question ids, so the seeded answers refer to them.
Q_SUPPORT = "6d7e1a52-9d0f-4a1b-8c62-0a4a1e5b0001"
Q_CHANNEL = "6d7e1a52-9d0f-4a1b-8c62-0a4a1e5b0002"
Q_WORRIES = "6d7e1a52-9d0f-4a1b-8c62-0a4a1e5b0003"
Q_COVERAGE = "6d7e1a52-9d0f-4a1b-8c62-0a4a1e5b0004"
Q_COMMENTS = "6d7e1a52-9d0f-4a1b-8c62-0a4a1e5b0005"

QUESTIONS = [
    {
        "type": "scale",
        "id": Q_SUPPORT,
        "value": {
            "question": "Wages of platform workers should be paid into an account in their own name.",
            "help_text": "",
            "required": True,
            "low_label": "Strongly disagree",
            "high_label": "Strongly agree",
        },
    },
    {
        "type": "single_choice",
        "id": Q_CHANNEL,
        "value": {
            "question": "Which payment channel should be the default?",
            "help_text": "Choose the one that works best for most workers you know.",
            "required": True,
            "options": ["Bank account", "E-money wallet", "Cash at an agent", "The worker chooses each time"],
        },
    },
    {
        "type": "multiple_choice",
        "id": Q_WORRIES,
        "value": {
            "question": "What worries you about digital wage payments?",
            "help_text": "",
            "required": False,
            "options": ["Fees", "Losing access to the phone", "Privacy of payment data", "Delays", "Nothing"],
        },
    },
    {
        "type": "yes_no",
        "id": Q_COVERAGE,
        "value": {
            "question": "Should platforms pay social security contributions for riders?",
            "help_text": "",
            "required": True,
            "comment_max_length": 1000,
        },
    },
    {
        "type": "free_text",
        "id": Q_COMMENTS,
        "value": {
            "question": "Anything else the ministry should know?",
            "help_text": "Examples from your own work help most.",
            "required": False,
            "max_length": 3000,
        },
    },
]

WORRIES = ["Fees", "Losing access to the phone", "Privacy of payment data", "Delays", "Nothing"]

# (who, organization slug or None, publication, answers) — who is a demo user key or a paper name.
RESPONSES = {
    "closed": [
        (
            "union.rep",
            "riders",
            "named",
            (5, "The worker chooses each time", ["Fees", "Delays"], "yes", "Riders must not pay to be paid."),
        ),
        (
            "employers.rep",
            "nef",
            "named",
            (3, "Bank account", ["Fees"], "no", "Contributions should be shared and simple."),
        ),
        ("beneficiary", None, "anonymous", (4, "E-money wallet", ["Losing access to the phone"], "yes", "")),
        (
            "member",
            None,
            "none",
            (5, "E-money wallet", ["Privacy of payment data", "Fees"], "yes", "ไรเดอร์ต้องการความคุ้มครอง"),
        ),
        (
            "paper:Social Security Office",
            "sso",
            "named",
            (4, "Bank account", ["Delays"], "yes", "Registration is the bottleneck."),
        ),
        (
            "paper:Federation of Informal Workers",
            "fiw",
            "named",
            (5, "The worker chooses each time", ["Fees", "Privacy of payment data"], "yes", ""),
        ),
        (
            "paper:Pranee (home-based worker)",
            None,
            "anonymous",
            (2, "Cash at an agent", ["Losing access to the phone"], "no", "I have no bank near me."),
        ),
    ],
    "open": [
        (
            "employers.rep",
            "nef",
            "named",
            (3, "Bank account", ["Fees"], "no", "We support accounts but not new levies."),
        ),
        ("beneficiary", None, "anonymous", (4, "E-money wallet", ["Delays"], "yes", "")),
    ],
}

PARAGRAPH = "<p>{}</p>"


def _stream(*paragraphs: str) -> list[dict]:
    return [{"type": "paragraph", "value": PARAGRAPH.format(text)} for text in paragraphs]


def _answers(values) -> dict:
    support, channel, worries, coverage, comment = values
    answers = {Q_SUPPORT: str(support), Q_CHANNEL: channel, Q_COVERAGE: {"value": coverage, "comment": ""}}
    if worries:
        answers[Q_WORRIES] = [w for w in WORRIES if w in worries]
    if comment:
        answers[Q_COMMENTS] = comment
    return answers


def _seed_responses(page: ConsultationPage, specs, organizations, users, when) -> int:
    # Seeding writes history directly (the closed consultation can no longer
    # take responses through the services); the rows are the same shape.
    created = 0
    for who, org_slug, publication, values in specs:
        organization = organizations.get(org_slug) if org_slug else None
        paper = who.startswith("paper:")
        user = None if paper else users[who]
        existing = Response.objects.filter(consultation=page)
        if organization is not None:
            seeded = existing.filter(organization=organization).exists()
        elif paper:
            # The name is sealed at rest (no SQL match): compare the few paper responses' names in Python.
            papers = existing.filter(respondent__isnull=True, organization__isnull=True).only("respondent_name")
            seeded = any(response.respondent_name == who[6:] for response in papers)
        else:
            seeded = existing.filter(respondent=user, organization__isnull=True).exists()
        if seeded:
            continue
        answers = _answers(values)
        response = Response.objects.create(
            consultation=page,
            respondent=user,
            respondent_name=who[6:] if paper else user.get_full_name(),
            organization=organization,
            stakeholder_group=StakeholderGroup.for_organization(organization),
            channel=Response.Channel.PAPER if paper else Response.Channel.ONLINE,
            entered_by=users["ministry"] if paper else None,
            status=Response.Status.SUBMITTED,
            publication=publication,
            answers=answers,
            submitted_at=when,
        )
        ResponseChoice.objects.bulk_create(
            ResponseChoice(response=response, question_id=q, choice=c)
            for q, c in counted_choices(page.question_list, answers)
        )
        created += 1
    return created


def seed(*, organizations, users, stdout) -> int:
    """Add the consultation index, two consultations with responses, sections and positions."""
    # The original pages, not their translations or aliases (they share slugs): the first made.
    home = HomePage.objects.order_by("pk").first()
    if home is None:
        stdout.write("No home page: consultations not seeded.")
        return 0
    created = 0
    now = timezone.now()

    index = ConsultationIndexPage.objects.filter(slug="consultations").order_by("pk").first()
    if index is None:
        index = home.add_child(
            instance=ConsultationIndexPage(
                title="Consultations",
                slug="consultations",
                intro="Governments consult on social protection policy here. Respond as yourself or for your "
                "organization; after closing, see what everyone said and what was decided.",
            )
        )
        created += 1
    # The ministry's editors write consultations, its approvers approve them.
    consultation_owners_sync()

    topics = {}
    for name, slug in (
        ("Digital payments", "digital-payments"),
        ("Platform work", "platform-work"),
        ("Maternity protection", "maternity"),
    ):
        topics[slug], was_created = Topic.objects.get_or_create(slug=slug, defaults={"name": name})
        created += was_created

    pages = {}
    specs = {
        "open": dict(
            slug="digital-wage-payments-platform-workers",
            title="Digital wage payments and social security for platform workers",
            summary="The Ministry proposes that platforms pay riders and drivers into accounts in the workers' own "
            "names, and register them with the Social Security Fund. Tell us what would work for you.",
            body=_stream(
                "About 400,000 people deliver food and parcels or drive through platforms. Most are paid through "
                "the platform's own wallet and have no social security.",
                "The draft regulation would require payment into an account chosen by the worker, a pay slip for "
                "every payment, and registration under Section 40 with contributions shared by the platform.",
            ),
            opens_at=now - datetime.timedelta(days=10),
            closes_at=now + datetime.timedelta(days=20),
            topics=["digital-payments", "platform-work"],
        ),
        "closed": dict(
            slug="maternity-cash-benefit-informal-workers",
            title="Maternity cash benefit for informal workers",
            summary="Should the maternity cash benefit reach women who work informally, and how should it be paid?",
            body=_stream("The benefit today reaches only women insured under Section 33."),
            opens_at=now - datetime.timedelta(days=90),
            closes_at=now - datetime.timedelta(days=30),
            topics=["maternity", "digital-payments"],
            what_we_heard=_stream(
                "Workers' organizations and individuals strongly support an account in the worker's own name; "
                "employers support it but oppose new contributions.",
            ),
            outcome=_stream(
                "The benefit will be extended to women insured under Section 40 from next fiscal year, paid to an "
                "account of their choice. Contributions are unchanged.",
            ),
        ),
    }
    for key, spec in specs.items():
        page = ConsultationPage.objects.filter(slug=spec["slug"]).order_by("pk").first()
        if page is None:
            topic_slugs = spec.pop("topics")
            page = ConsultationPage(
                owner_organization=organizations["mosd"],
                questions=QUESTIONS,
                **spec,
            )
            index.add_child(instance=page)
            page.topics.set([topics[s] for s in topic_slugs])
            page.save_revision().publish()
            created += 1
        pages[key] = ConsultationPage.objects.get(pk=page.pk)
    created += _seed_responses(
        pages["closed"], RESPONSES["closed"], organizations, users, now - datetime.timedelta(days=40)
    )
    created += _seed_responses(pages["open"], RESPONSES["open"], organizations, users, now - datetime.timedelta(days=2))
    created += demo_translations.seed(pages["open"])

    sections_index = OrganizationIndexPage.objects.filter(slug="organizations").order_by("pk").first()
    if sections_index is None:
        sections_index = home.add_child(
            instance=OrganizationIndexPage(
                title="Organizations",
                slug="organizations",
                intro="Workers' and employers' organizations and their positions.",
            )
        )
        created += 1
    sections = {}
    for slug in ("fiw", "riders", "nef"):
        sections[slug] = organization_section_ensure(organization=organizations[slug], index_page=sections_index)

    positions = (
        (
            "fiw",
            "platform-riders-need-portable-social-security",
            "Platform riders need portable social security",
            "Riders should be registered from their first delivery, with contributions shared by every platform they "
            "work for, and paid into an account they choose, free of charge.",
        ),
        (
            "nef",
            "employers-on-digital-wage-payments",
            "Employers on digital wage payments",
            "Employers support payment into accounts in workers' names, with a transition period, and ask that any "
            "contribution be simple and shared, not a new levy on platforms alone.",
        ),
    )
    for org_slug, slug, title, summary in positions:
        if PositionStatementPage.objects.filter(slug=slug).exists():
            continue
        position = PositionStatementPage(title=title, slug=slug, summary=summary, body=_stream(summary))
        sections[org_slug].add_child(instance=position)
        position.consultations.set([pages["open"]])
        position.save_revision().publish()
        created += 1
    stdout.write(f"Consultations: {created} new rows.")
    return created
