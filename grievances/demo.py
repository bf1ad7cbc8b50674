"""Demo reference data and a few cases, for `manage.py seed_demo`. Idempotent."""

from __future__ import annotations

from datetime import date

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
    return created


def _demo_cases(organizations, users, stdout) -> int:
    from grievances.services import grievance_lodge

    beneficiary, rep = users["beneficiary"], users["union.rep"]
    created = 0
    if not Grievance.objects.filter(complainant=beneficiary).exists():
        lodged = grievance_lodge(
            category=Category.objects.get(name="Digital payment not received (e-wallet or bank)"),
            description="My Old Age Allowance for October did not arrive in my e-wallet. The office says it was paid.",
            contact_preference=Grievance.Contact.ACCOUNT,
            complainant=beneficiary,
            programme=Programme.objects.get(name="Old Age Allowance"),
            region=Region.objects.get(code="kkc"),
        )
        Grievance.objects.filter(pk=lodged.grievance.pk).update(pin_hash=hash_pin(DEMO_PIN))
        created += 1
    if not Grievance.objects.filter(lodged_by=rep).exists():
        lodged = grievance_lodge(
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
        lodged = grievance_lodge(
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
