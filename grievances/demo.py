"""Demo reference data and a few cases, for `manage.py seed_demo`. Idempotent."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from grievances import services
from grievances.models import Category, Grievance, Holiday, Programme, Region, SLAPolicy
from grievances.pins import hash_pin
from portal.models import Membership

DEMO_PIN = "246810"

HOLIDAYS = [
    (date(2026, 12, 5), "National Day"),
    (date(2026, 12, 10), "Constitution Day"),
    (date(2026, 12, 31), "New Year's Eve"),
    (date(2027, 1, 1), "New Year's Day"),
    (date(2027, 4, 6), "Chakri Memorial Day"),
    (date(2027, 4, 13), "Songkran"),
    (date(2027, 4, 14), "Songkran"),
    (date(2027, 4, 15), "Songkran"),
    (date(2027, 5, 1), "Labour Day"),
]
REGIONS = [
    ("Bangkok", "bkk"),
    ("Chiang Mai", "cnx"),
    ("Khon Kaen", "kkc"),
    ("Songkhla", "skh"),
    ("Ubon Ratchathani", "ubn"),
]
# (theme, agency slug, sensitive, [what went wrong])
CATEGORIES = [
    (
        "Payments",
        "sso",
        False,
        [
            "Payment not received",
            "Digital payment not received (e-wallet or bank)",
            "Wrong amount paid",
            "Payment stopped without explanation",
        ],
    ),
    (
        "Registration and eligibility",
        "sso",
        False,
        ["Application refused", "Cannot register online", "My details are wrong in the registry"],
    ),
    (
        "Work and employment",
        "dlpw",
        False,
        ["Unpaid wages", "Platform deactivated my account", "No social security contributions paid for me"],
    ),
    ("Service and staff conduct", "sso", False, ["Rude or unhelpful staff", "Asked for a bribe or an unofficial fee"]),
    (
        "Harassment, violence and exploitation",
        "dlpw",
        True,
        ["Sexual harassment", "Gender-based violence", "Forced labour or exploitation"],
    ),
]
PROGRAMMES = [
    ("Child Support Grant", "sso"),
    ("Old Age Allowance", "sso"),
    ("Disability Allowance", "sso"),
    ("Social Security Fund, Section 40 (informal workers)", "sso"),
    ("Unemployment benefit", "sso"),
]


def seed(*, organizations, users, stdout) -> int:
    created = 0
    policy, new = SLAPolicy.objects.get_or_create(
        name="Default",
        defaults={
            "acknowledge_days": 2,
            "resolve_days": 21,
            "appeal_window_days": 30,
            "appeal_decision_days": 30,
            "at_risk_days": 3,
        },
    )
    created += new
    urgent, new = SLAPolicy.objects.get_or_create(
        name="Urgent (safety)",
        defaults={
            "acknowledge_days": 1,
            "resolve_days": 10,
            "appeal_window_days": 30,
            "appeal_decision_days": 15,
            "at_risk_days": 2,
        },
    )
    created += new
    for day, name in HOLIDAYS:
        created += Holiday.objects.get_or_create(date=day, defaults={"name": name})[1]
    for name, code in REGIONS:
        created += Region.objects.get_or_create(code=code, defaults={"name": name})[1]
    for name, agency in PROGRAMMES:
        created += Programme.objects.get_or_create(name=name, defaults={"agency": organizations[agency]})[1]
    for position, (theme, agency, sensitive, children) in enumerate(CATEGORIES):
        parent, new = Category.objects.get_or_create(
            parent=None,
            name=theme,
            defaults={
                "agency": organizations[agency],
                "sensitive": sensitive,
                "position": position,
                "sla_policy": urgent if sensitive else policy,
            },
        )
        created += new
        for child_position, child in enumerate(children):
            created += Category.objects.get_or_create(parent=parent, name=child, defaults={"position": child_position})[
                1
            ]

    # The labour officer is the focal point for sensitive cases at DLPW.
    created += Membership.objects.filter(
        user=users["officer.labour"], organization=organizations["dlpw"], focal_point=False
    ).update(focal_point=True)

    created += _demo_cases(organizations, users, stdout)
    created += _workspace_cases(organizations, users)
    return created


DEMO_SEX_GENDER = (
    Grievance.SexGender.FEMALE,
    Grievance.SexGender.MALE,
    Grievance.SexGender.FEMALE,
    Grievance.SexGender.NOT_GIVEN,
    Grievance.SexGender.ANOTHER,
)


def _demo_cases(organizations, users, stdout) -> int:
    beneficiary, rep = users["beneficiary"], users["union.rep"]
    created = 0
    if not Grievance.objects.filter(complainant=beneficiary).exists():
        lodged = services.grievance_lodge(
            category=Category.objects.get(name="Digital payment not received (e-wallet or bank)"),
            description="My Old Age Allowance for October did not arrive in my e-wallet. The office says it was paid.",
            contact_preference=Grievance.Contact.ACCOUNT,
            complainant=beneficiary,
            programme=Programme.objects.get(name="Old Age Allowance"),
            region=Region.objects.get(code="kkc"),
            sex_gender=Grievance.SexGender.FEMALE,
        )
        Grievance.objects.filter(pk=lodged.grievance.pk).update(pin_hash=hash_pin(DEMO_PIN))
        created += 1
    if not Grievance.objects.filter(lodged_by=rep).exists():
        lodged = services.grievance_lodge(
            category=Category.objects.get(name="Platform deactivated my account"),
            description="Forty riders were deactivated by the delivery app on the same day without explanation, "
            "and lost their Section 40 contributions.",
            contact_preference=Grievance.Contact.ACCOUNT,
            lodged_by=rep,
            lodged_by_organization=organizations["riders"],
            consent_given=True,
            people_affected=40,
            region=Region.objects.get(code="bkk"),
        )
        Grievance.objects.filter(pk=lodged.grievance.pk).update(pin_hash=hash_pin(DEMO_PIN))
        created += 1
    if not Grievance.objects.filter(complainant__isnull=True, lodged_by__isnull=True, anonymous=True).exists():
        lodged = services.grievance_lodge(
            category=Category.objects.get(name="Asked for a bribe or an unofficial fee"),
            description="At the district office I was told to pay 500 baht to have my form accepted faster.",
            contact_preference=Grievance.Contact.NONE,
            anonymous=True,
        )
        Grievance.objects.filter(pk=lodged.grievance.pk).update(pin_hash=hash_pin(DEMO_PIN))
        created += 1
    anonymous = Grievance.objects.filter(anonymous=True).order_by("lodged_at").first()
    if anonymous is not None:
        stdout.write(f"Demo grievance to track without an account: {anonymous.reference}, PIN {DEMO_PIN}")
    return created


# Cases for the agency workspace, one per situation an officer meets. Each is
# found again by its description, so seeding twice adds nothing.
WORKSPACE_CASES = [
    ("in_progress", "Payment not received", "My Child Support Grant stopped in August; nobody told me why."),
    ("awaiting", "Wrong amount paid", "I received 400 baht instead of 600 for my Old Age Allowance."),
    ("at_risk", "Cannot register online", "The registration site rejects my ID card number every time."),
    ("breached", "My details are wrong in the registry", "The registry says I have a car; I have never had one."),
    (
        "referred",
        "Payment stopped without explanation",
        "My employer stopped paying contributions; SSO stopped my benefit.",
    ),
    ("resolved", "Rude or unhelpful staff", "The officer at the district counter shouted at my mother."),
    ("sensitive", "Sexual harassment", "A supervisor at the packing plant touches workers and threatens to fire us."),
]


def _workspace_cases(organizations, users) -> int:
    officer, supervisor, labour = users["officer"], users["supervisor"], users["officer.labour"]
    created = 0
    for situation, category_name, description in WORKSPACE_CASES:
        if Grievance.objects.filter(description=description).exists():
            continue
        case = services.grievance_lodge(
            category=Category.objects.get(name=category_name),
            description=description,
            contact_preference=Grievance.Contact.PHONE,
            contact_name="Demo complainant",
            contact_phone="+66 80 000 0000",
            confidentiality=(
                Grievance.Confidentiality.CONFIDENTIAL
                if situation == "sensitive"
                else Grievance.Confidentiality.STANDARD
            ),
            region=Region.objects.get(code="kkc"),
            # Some variety for the monitoring dashboard's sex/gender breakdown.
            sex_gender=DEMO_SEX_GENDER[created % len(DEMO_SEX_GENDER)],
        ).grievance
        Grievance.objects.filter(pk=case.pk).update(pin_hash=hash_pin(DEMO_PIN))
        created += 1
        if situation == "sensitive":
            services.grievance_assign(grievance=case, user=labour, assignee=labour, version=case.version)
            continue
        if situation in ("at_risk", "breached"):
            # As if lodged weeks ago: the deadline is near, or gone.
            today = timezone.localdate()
            due = today + timedelta(days=1) if situation == "at_risk" else today - timedelta(days=3)
            Grievance.objects.filter(pk=case.pk).update(
                resolve_due=due,
                due_on=due,
                at_risk_on=due - timedelta(days=4),
                lodged_at=timezone.now() - timedelta(days=30),
            )
            continue
        services.grievance_assign(grievance=case, user=supervisor, assignee=officer, version=1)
        services.grievance_start(grievance=case, user=officer, version=2)
        if situation == "awaiting":
            services.grievance_request_information(
                grievance=case, user=officer, body="Please send a photo of your bank book.", version=3
            )
        elif situation == "referred":
            services.grievance_refer(
                grievance=case,
                user=officer,
                to_agency=organizations["dlpw"],
                reasons="Unpaid contributions by an employer: labour inspection first.",
                version=3,
            )
        elif situation == "resolved":
            services.grievance_resolve(
                grievance=case,
                user=officer,
                decision=Grievance.Decision.PARTLY_UPHELD,
                reasons="The counter officer has been spoken to; we could not confirm the shouting.",
                remedy="A written apology and a named contact for your mother's next visit.",
                version=3,
            )
        else:
            services.grievance_add_note(grievance=case, user=officer, body="Checked the payment file.", version=3)
    return created
