"""The demo world that `manage.py seed_demo` creates: who exists and how to sign in.

Later issues add cases and consultations to it. Kept apart from the command
so that the launcher can print the accounts and tests can use the same data.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.middleware import DEMO_EMAIL_DOMAIN
from portal.models import Membership, Organization

DEMO_PASSWORD = "suara-demo-password"

Role = Membership.Role
Kind = Organization.Kind


@dataclass(frozen=True)
class DemoOrganization:
    slug: str
    name: str
    short_name: str
    kind: str
    region: str


@dataclass(frozen=True)
class DemoAccount:
    local_part: str
    display_name: str
    what: str
    memberships: tuple[tuple[str, str], ...] = ()
    superuser: bool = False

    @property
    def email(self) -> str:
        return f"{self.local_part}@{DEMO_EMAIL_DOMAIN}"


ORGANIZATIONS = (
    DemoOrganization("mosd", "Ministry of Social Development", "MoSD", Kind.GOVERNMENT, "National"),
    DemoOrganization("sso", "Social Security Office", "SSO", Kind.GOVERNMENT, "National"),
    DemoOrganization("dlpw", "Department of Labour Protection and Welfare", "DLPW", Kind.GOVERNMENT, "National"),
    DemoOrganization("fiw", "Federation of Informal Workers", "FIW", Kind.WORKERS, "National"),
    DemoOrganization("riders", "Platform Riders' Union", "PRU", Kind.WORKERS, "Bangkok"),
    DemoOrganization("nef", "National Employers' Federation", "NEF", Kind.EMPLOYERS, "National"),
)

ACCOUNTS = (
    DemoAccount("beneficiary", "Malee", "beneficiary: lodges and follows grievances"),
    DemoAccount("member", "Somchai", "union member (Platform Riders' Union)", (("riders", Role.MEMBER),)),
    DemoAccount(
        "union.rep", "Ananya", "union representative (Platform Riders' Union)", (("riders", Role.REPRESENTATIVE),)
    ),
    DemoAccount(
        "union.editor", "Lan", "workers' organization editor (FIW)", (("fiw", Role.EDITOR), ("fiw", Role.MEMBER))
    ),
    DemoAccount("union.approver", "Mai", "approves FIW's position statements", (("fiw", Role.APPROVER),)),
    DemoAccount("union.admin", "Kanya", "FIW's administrator: invites people, gives roles", (("fiw", Role.ADMIN),)),
    DemoAccount("riders.approver", "Tan", "approves the riders' union's statements", (("riders", Role.APPROVER),)),
    DemoAccount("employers.rep", "Budi", "employers' representative (NEF)", (("nef", Role.REPRESENTATIVE),)),
    DemoAccount(
        "employers.editor",
        "Siti",
        "employers' editor and approver (NEF)",
        (("nef", Role.EDITOR), ("nef", Role.APPROVER)),
    ),
    DemoAccount("officer", "Nimal", "case officer (Social Security Office)", (("sso", Role.CASE_OFFICER),)),
    DemoAccount("officer.labour", "Thida", "case officer (Labour Protection)", (("dlpw", Role.CASE_OFFICER),)),
    DemoAccount("supervisor", "Rizal", "supervisor (Social Security Office)", (("sso", Role.SUPERVISOR),)),
    DemoAccount(
        "ministry",
        "Dara",
        "consultation owner and the Ministry's organization administrator",
        (("mosd", Role.ADMIN), ("mosd", Role.EDITOR)),
    ),
    DemoAccount("ministry.editor", "Arun", "writes the Ministry's consultations", (("mosd", Role.EDITOR),)),
    DemoAccount("ministry.approver", "Vina", "approves the Ministry's consultations", (("mosd", Role.APPROVER),)),
    DemoAccount(
        "ministry.oversight",
        "Hana",
        "reads every agency's themes of grievances for the Ministry (no sensitive ones, no cases)",
        (("mosd", Role.OVERSIGHT),),
    ),
    DemoAccount("admin", "Site admin", "site administrator (Wagtail admin)", superuser=True),
)
