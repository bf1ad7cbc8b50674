"""The pages people see are valid HTML (by the Nu Html Checker) and each describes itself.

The pages come from the demo world (``seed_demo``): every public page, and the
main pages of each persona signed in. The checker is a Java program that npm
installs per checkout (``package.json``); it starts once for all the pages,
as its JVM costs seconds to start.
"""

import io
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from grievances.demo import DEMO_PIN
from grievances.insights.models import Membership as ThemeMembership
from grievances.models import Grievance
from portal.demo import ACCOUNTS
from portal.models import User
from tests.conftest import PROJECT_DIR

VNU_JAR = PROJECT_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

PUBLIC_PAGES = (
    "/",
    "/consultations/",
    "/consultations/digital-wage-payments-platform-workers/",
    "/consultations/maternity-cash-benefit-informal-workers/",
    "/consultations/maternity-cash-benefit-informal-workers/results/",
    "/organizations/",
    "/organizations/riders/",
    "/grievances/new/",
    "/grievances/track/",
    "/grievances/verify/",
    "/statistics/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
)
RESULTS = "/consultations/maternity-cash-benefit-informal-workers/results/"

# What each persona opens once signed in; {case} is a case this persona may see.
PERSONA_PAGES = {
    "beneficiary": ("/", "/my/", "/grievances/new/", "/grievances/{case}/", "/consultations/", RESULTS),
    "union.rep": (
        "/my/",
        "/workspace/field/",
        "/grievances/new/",
        "/grievances/{case}/",
        "/consultations/digital-wage-payments-platform-workers/",
    ),
    "officer": (
        "/my/",
        "/workspace/",
        "/workspace/queue/sso/",
        "/workspace/cases/{case}/",
        "/workspace/field/",
        "/statistics/",
    ),
    "supervisor": (
        "/workspace/",
        "/workspace/queue/sso/",
        "/workspace/queue/sso/?tab=anonymisation",
        "/workspace/cases/{case}/",
        "/workspace/cases/{case}/access/",
        "/workspace/monitoring/",
        "/workspace/monitoring/agency/sso/",
        "/workspace/api/sso/",
        "/workspace/insights/",
        "/workspace/insights/themes/{theme}/",
    ),
    "ministry": ("/my/", "/consultations/", "/consultations/maternity-cash-benefit-informal-workers/", RESULTS),
    "ministry.oversight": ("/my/", "/workspace/insights/"),
}


def _demo_user(local_part: str) -> User:
    email = next(account.email for account in ACCOUNTS if account.local_part == local_part)
    return User.objects.get(email__iexact=email)


def _case_of(persona: str, user: User) -> str:
    if persona == "beneficiary":
        return Grievance.objects.filter(complainant=user).values_list("reference", flat=True).first()
    if persona == "union.rep":
        return Grievance.objects.filter(lodged_by=user).values_list("reference", flat=True).first()
    # Staff: a case of their agency that is not sensitive, with a timeline.
    cases = Grievance.objects.filter(agency__slug="sso").exclude(category__parent__sensitive=True)
    return cases.order_by("lodged_at").values_list("reference", flat=True).first()


def _theme_of_sso() -> int | None:
    # A theme with a case of the demo supervisor's agency outside sensitive categories.
    return (
        ThemeMembership.objects.filter(grievance__agency__slug="sso")
        .exclude(grievance__category__parent__sensitive=True)
        .values_list("theme_id", flat=True)
        .first()
    )


def _fetch(client, url: str) -> str:
    response = client.get(url, follow=True)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return response.content.decode()


def render_pages(client, *, preferred_language: str | None = None) -> dict[str, str]:
    """Seed the demo world and return {"persona url": html} for every page to check.

    ``preferred_language``: the language every signed-in persona reads in.
    """
    call_command("seed_demo", "--quiet-accounts", stdout=io.StringIO())
    if preferred_language:
        get_user_model().objects.update(preferred_language=preferred_language)
    pages = {f"anonymous {url}": _fetch(client, url) for url in PUBLIC_PAGES}
    # An address outside the page tree: it answers 404 in the reader's language, whatever that is.
    pages["anonymous a missing page"] = client.get("/grievances/no-such-page/").content.decode()
    # Following a case without an account: reference and PIN, then the case page.
    anonymous_case = Grievance.objects.filter(complainant__isnull=True, lodged_by__isnull=True, anonymous=True).first()
    tracked = client.post("/grievances/track/", {"reference": anonymous_case.reference, "pin": DEMO_PIN})
    assert tracked.status_code == 302, "the demo PIN should open the demo case"
    pages["anonymous tracked case"] = _fetch(client, tracked["Location"])
    for persona, urls in PERSONA_PAGES.items():
        user = _demo_user(persona)
        client.force_login(user)
        case = _case_of(persona, user)
        for url in urls:
            url = url.format(case=case, theme=_theme_of_sso())
            pages[f"{persona} {url}"] = _fetch(client, url)
        client.logout()
    return pages


def _file_name(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", label).strip("-") + ".html"


def _checker_command() -> list[str] | None:
    java = shutil.which("java") or ("/usr/bin/java" if os.path.exists("/usr/bin/java") else None)
    if java is None or not VNU_JAR.exists():
        return None
    return [java, "-jar", str(VNU_JAR), "--format", "json", "--stdout", "--exit-zero-always"]


@pytest.fixture
def checker():
    command = _checker_command()
    if command is None:
        why = (
            "the Nu Html Checker needs Java (Debian's default-jre-headless) and node_modules/vnu-jar "
            "(npm install --no-audit --no-fund)"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{why}: both must be installed under CI")
        pytest.skip(why)
    return command


def test_every_page_is_valid_html_by_the_nu_checker(client, home_page, tmp_path, checker):
    files = {}
    for label, html in render_pages(client).items():
        path = tmp_path / _file_name(label)
        path.write_text(html, encoding="utf-8")
        files[path.as_uri()] = label
    result = subprocess.run(
        [*checker, *sorted(str(tmp_path / name) for name in os.listdir(tmp_path))],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stdout)["messages"]
    errors = [message for message in messages if message["type"] in ("error", "non-document-error")]
    report = [
        f"{files.get(message.get('url'), message.get('url'))} (file {message.get('url', '').rsplit('/', 1)[-1]}, "
        f"line {message.get('lastLine', '?')}): {message['message']}"
        + (f"\n    {message['extract'].strip()}" if message.get("extract") else "")
        for message in errors
    ]
    assert len(files) >= 35
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(report)


class _MetaDescriptions(HTMLParser):
    def __init__(self):
        super().__init__()
        self.contents = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and (attrs.get("name") or "").lower() == "description":
            self.contents.append((attrs.get("content") or "").strip())


def test_every_page_has_exactly_one_description(client, home_page):
    wrong = {}
    for label, html in render_pages(client).items():
        parser = _MetaDescriptions()
        parser.feed(html)
        if len(parser.contents) != 1 or not parser.contents[0]:
            wrong[label] = parser.contents
    assert not wrong, f"pages without exactly one non-empty description: {wrong}"


def _description(html: str) -> str:
    parser = _MetaDescriptions()
    parser.feed(html)
    return parser.contents[0]


def test_a_page_may_set_its_own_description_and_a_wagtail_page_uses_its_search_description(client, home_page):
    site_wide = _description(client.get("/accounts/login/").content.decode())
    assert site_wide.startswith("Suara: raise a grievance about social protection")
    lodge = _description(client.get("/grievances/new/").content.decode())
    assert lodge.startswith("Raise a grievance about a social protection benefit")
    home_page.search_description = "Be heard on social protection <in your language>"
    home_page.save_revision().publish()
    assert _description(client.get("/en/").content.decode()) == "Be heard on social protection <in your language>"
