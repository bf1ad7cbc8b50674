"""One theme's page (trend, breakdowns, excerpts) and who reads themes: supervisors, focal points, the oversight role."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone

from grievances.insights import excerpts, issues
from grievances.insights.figures import _suppressed
from grievances.insights.models import Membership as ThemeMembership
from grievances.insights.selectors import ThemeCounts
from grievances.insights.services import insights_refresh
from grievances.models import Grievance, Region
from grievances.monitoring.suppression import SUPPRESSED, WITHHELD
from portal import rules
from portal.models import Membership, Organization
from tests.factories import MembershipFactory, OrganizationFactory
from tests.insights import dataset
from tests.insights.conftest import lodge

pytestmark = pytest.mark.django_db

OTP = dataset.PROBLEMS["otp"]
BRIBE = dataset.PROBLEMS["bribe"]
LANGUAGES = ("en", "th", "vi", "zh-hans")
PHONE, EMAIL, NATIONAL_ID, URL, NAME = (
    "+66 81 234 5678",
    "somsak.j@example.org",
    "1-2345-67890-12-3",
    "https://evil.example/track?me=1",
    "Somsak Jaidee",
)


@pytest.fixture(autouse=True)
def _no_second_factor(monkeypatch, settings):
    monkeypatch.setattr("portal.middleware.needs_second_factor", lambda user: False)
    settings.SUARA_STATISTICS_MIN_CELL = 3


@pytest.fixture
def ministry(db):
    return OrganizationFactory(kind=Organization.Kind.GOVERNMENT, name="Ministry of Social Development", slug="mosd-t")


@pytest.fixture
def oversight(ministry):
    return MembershipFactory(organization=ministry, role=Membership.Role.OVERSIGHT).user


def _cases(category, problem=OTP, count=8):
    return [
        lodge(
            category, description=problem[LANGUAGES[n % 4]][0].format(d=5 + n, amt="1,250"), language=LANGUAGES[n % 4]
        ).grievance
        for n in range(count)
    ]


def _theme_of(case) -> int:
    return ThemeMembership.objects.get(grievance=case).theme_id


def _page(client, user, url):
    client.force_login(user)
    return client.get(url)


# --- who reads which themes ---------------------------------------------------------------------


def test_oversight_reads_other_agencies_non_sensitive_themes(client, oversight, category, other_category):
    _cases(category)
    theirs = _cases(other_category)
    insights_refresh()
    listing = _page(client, oversight, "/workspace/insights/").content.decode()
    assert "16 cases" in listing
    page = client.get(f"/workspace/insights/themes/{_theme_of(theirs[0])}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Social Security Office" in html and "Labour Department" in html


def test_oversight_never_sees_a_sensitive_theme_nor_a_case_reference(client, oversight, category, sensitive_category):
    plain, sensitive = _cases(category), _cases(sensitive_category, BRIBE)
    insights_refresh()
    assert _theme_of(plain[0]) != _theme_of(sensitive[0])
    listing = _page(client, oversight, "/workspace/insights/").content.decode()
    assert f"/workspace/insights/themes/{_theme_of(sensitive[0])}/" not in listing
    assert client.get(f"/workspace/insights/themes/{_theme_of(sensitive[0])}/").status_code == 404
    html = client.get(f"/workspace/insights/themes/{_theme_of(plain[0])}/").content.decode()
    assert not any(case.reference in html for case in plain + sensitive)
    assert not any(case.reference in listing for case in plain + sensitive)


def test_oversight_cannot_open_a_case_nor_name_a_systemic_issue(client, oversight, category, agency):
    cases = _cases(category)
    insights_refresh()
    client.force_login(oversight)
    # Without a case role the workspace refuses every address alike: a real reference tells nothing.
    real = client.get(f"/workspace/cases/{cases[0].reference}/")
    made_up = client.get("/workspace/cases/SU-AAAA-AAAA/")
    assert real.status_code in (403, 404) and real.status_code == made_up.status_code
    assert client.get("/workspace/insights/issues/").status_code == 404
    refused = client.post(
        "/workspace/insights/issues/new/", {"theme": _theme_of(cases[0]), "title": "OTP", "owner": agency.pk}
    )
    assert refused.status_code == 404
    with pytest.raises(PermissionDenied):
        issues.systemic_issue_create(user=oversight, title="T", summary="", owner=agency, grievances=cases)
    assert not Grievance.objects.visible_to(oversight).exists()


def test_oversight_does_not_see_themes_under_the_minimum_cell(client, oversight, category, settings):
    cases = _cases(category, count=4)
    insights_refresh()
    settings.SUARA_STATISTICS_MIN_CELL = 5
    client.force_login(oversight)
    assert client.get(f"/workspace/insights/themes/{_theme_of(cases[0])}/").status_code == 404
    assert "No themes large enough to show yet." in client.get("/workspace/insights/").content.decode()


def test_the_oversight_role_needs_a_government_body_and_is_given_by_the_portals_staff(union):
    assert Membership.Role.OVERSIGHT in Membership.STAFF_ROLES  # a second factor, like the case roles
    assert Membership.Role.OVERSIGHT not in rules.GRANTABLE_ROLES
    in_a_union = MembershipFactory(organization=union, role=Membership.Role.OVERSIGHT).user
    assert not rules.can_oversee(in_a_union)


def test_an_ended_oversight_role_reads_nothing(client, oversight, category):
    _cases(category)
    insights_refresh()
    Membership.objects.filter(user=oversight).update(active=False)
    assert _page(client, oversight, "/workspace/insights/").status_code == 404


def test_a_supervisor_never_sees_another_agencys_theme(client, supervisor, other_supervisor, category, other_category):
    theirs = _cases(other_category)
    insights_refresh()
    assert _page(client, supervisor, f"/workspace/insights/themes/{_theme_of(theirs[0])}/").status_code == 404
    assert theirs[0].reference not in client.get("/workspace/insights/").content.decode()
    # Asking for every agency's themes without the oversight role changes nothing.
    assert client.get(f"/workspace/insights/themes/{_theme_of(theirs[0])}/?scope=all").status_code == 404
    assert _page(client, other_supervisor, f"/workspace/insights/themes/{_theme_of(theirs[0])}/").status_code == 200


def test_only_a_focal_point_sees_a_sensitive_theme_and_it_is_never_excerpted(
    client, supervisor, focal_supervisor, sensitive_category
):
    cases = _cases(sensitive_category, BRIBE)
    insights_refresh()
    url = f"/workspace/insights/themes/{_theme_of(cases[0])}/"
    assert _page(client, supervisor, url).status_code == 404
    page = _page(client, focal_supervisor, url)
    assert page.status_code == 200
    html = page.content.decode()
    assert cases[0].reference in html or cases[1].reference in html
    assert "No passage of this theme" in html
    assert "<blockquote" not in html


def test_a_supervisor_who_also_has_the_oversight_role_chooses_what_to_read(
    client, supervisor, ministry, category, other_category
):
    MembershipFactory(user=supervisor, organization=ministry, role=Membership.Role.OVERSIGHT)
    theirs = _cases(other_category)
    insights_refresh()
    client.force_login(supervisor)
    assert client.get(f"/workspace/insights/themes/{_theme_of(theirs[0])}/").status_code == 404
    page = client.get(f"/workspace/insights/themes/{_theme_of(theirs[0])}/?scope=all")
    assert page.status_code == 200
    assert theirs[0].reference not in page.content.decode()


def test_my_page_links_the_oversight_role_to_the_themes(client, oversight, supervisor):
    assert "/workspace/insights/" in _page(client, oversight, "/my/").content.decode()
    assert "Themes of all agencies" not in _page(client, supervisor, "/my/").content.decode()


# --- the figures --------------------------------------------------------------------------------


def test_the_trend_counts_cases_by_when_they_happened(client, supervisor, category):
    today = timezone.localdate()
    last_week = today - dt.timedelta(days=7)
    cases = [
        lodge(category, description=OTP["en"][0].format(d=n), occurred_on=last_week if n < 3 else None).grievance
        for n in range(8)
    ]
    long_ago = today - dt.timedelta(days=200)
    old = lodge(category, description=OTP["en"][0].format(d=9), occurred_on=long_ago).grievance
    insights_refresh()
    assert _theme_of(old) == _theme_of(cases[0])
    html = _page(client, supervisor, f"/workspace/insights/themes/{_theme_of(cases[0])}/").content.decode()
    table = html[html.index('id="trend-table"') :]
    table = table[: table.index("</table>")]
    this_monday = today - dt.timedelta(days=today.weekday())
    cells = dict(re.findall(r'<th scope="row"><bdi>([^<]+)</bdi></th><td>([^<]+)</td>', table))
    assert cells[formats.date_format(this_monday, "SHORT_DATE_FORMAT")] == "5"
    assert cells[formats.date_format(this_monday - dt.timedelta(days=7), "SHORT_DATE_FORMAT")] == "3"
    assert re.search(r"Before these weeks</th><td>1<", table)
    assert '<img class="chart" src="data:image/svg+xml;base64,' in html


def test_a_supervisor_reads_exact_counts_and_oversight_reads_suppressed_ones(
    client, supervisor, oversight, category, settings
):
    north = Region.objects.create(name="North", code="n-t")
    south = Region.objects.create(name="South", code="s-t")
    cases = [
        lodge(
            category,
            description=OTP[LANGUAGES[n % 4]][0].format(d=5 + n),
            language=LANGUAGES[n % 4],
            region=north if n < 10 else south,
        ).grievance
        for n in range(12)
    ]
    insights_refresh()
    settings.SUARA_STATISTICS_MIN_CELL = 5
    url = f"/workspace/insights/themes/{_theme_of(cases[0])}/"
    exact = _page(client, supervisor, url).content.decode()
    assert "<bdi>South</bdi></th><td>2<" in exact and "<bdi>North</bdi></th><td>10<" in exact
    suppressed = _page(client, oversight, url).content.decode()
    assert "<bdi>South</bdi></th><td>fewer than 5<" in suppressed
    # North alone would give South away (12 - 10): it is withheld too.
    assert "<bdi>North</bdi></th><td>not shown, so that a smaller figure cannot be worked out<" in suppressed


def test_complementary_suppression_leaves_no_hidden_count_derivable():
    counts = ThemeCounts(
        size=40,
        week_starts=[dt.date(2026, 1, 5) + dt.timedelta(days=7 * i) for i in range(4)],
        weeks=[20, 12, 2, 0],
        earlier=6,
        regions={1: 30, 2: 8, None: 2},
        agencies={7: 40},
        channels={"web": 37, "sms": 3},
        region_names={},
        agency_names={},
    )
    data = _suppressed(counts, 5)
    for parts in (data["weeks"] + [data["earlier"]], list(data["regions"].values()), list(data["channels"].values())):
        hidden = [value for value in parts if value in (SUPPRESSED, WITHHELD)]
        assert len(hidden) != 1, parts  # a lone hidden part is the total minus the others
    assert data["agencies"] == {7: 40} and data["size"] == 40


# --- excerpts -----------------------------------------------------------------------------------


def test_an_excerpt_never_contains_a_phone_number_an_email_an_id_a_url_or_the_complainants_name(
    client, supervisor, oversight, category
):
    cases = [
        lodge(
            category,
            description=f"I am {NAME}. " + OTP["en"][n % 2].format(d=5 + n) + f" Call {PHONE} or write to {EMAIL}, "
            f"my ID is {NATIONAL_ID}, see {URL}",
            anonymous=False,
            contact_name=NAME,
            contact_phone="0812345678",
            contact_preference=Grievance.Contact.PHONE,
        ).grievance
        for n in range(6)
    ]
    insights_refresh()
    for reader in (supervisor, oversight):
        html = _page(client, reader, f"/workspace/insights/themes/{_theme_of(cases[0])}/").content.decode()
        quotes = re.findall(r"<blockquote[^>]*>(.*?)</blockquote>", html, re.S)
        assert quotes, "the theme should show excerpts"
        for seeded in (PHONE, "234 5678", EMAIL, "somsak.j", NATIONAL_ID, "67890", "evil.example", "Somsak", "Jaidee"):
            assert seeded not in html
        assert any("OTP" in quote or "verification" in quote for quote in quotes)


def test_a_confidential_case_is_never_excerpted(client, supervisor, category):
    cases = [
        lodge(
            category,
            description=OTP["en"][0].format(d=5 + n),
            confidentiality=Grievance.Confidentiality.CONFIDENTIAL,
            anonymous=False,
            contact_name="Malee",
            contact_preference=Grievance.Contact.PHONE,
            contact_phone="0812345678",
        ).grievance
        for n in range(5)
    ]
    insights_refresh()
    html = _page(client, supervisor, f"/workspace/insights/themes/{_theme_of(cases[0])}/").content.decode()
    assert "<blockquote" not in html


def test_excerpts_prefer_the_readers_language(client, supervisor, category):
    cases = _cases(category)
    insights_refresh()
    client.force_login(supervisor)
    supervisor.preferred_language = "th"
    supervisor.save(update_fields=["preferred_language"])
    html = client.get(f"/workspace/insights/themes/{_theme_of(cases[0])}/", HTTP_ACCEPT_LANGUAGE="th").content.decode()
    languages = re.findall(r'<blockquote lang="([^"]+)"', html)
    assert languages and languages[0] == "th"


def test_an_excerpt_is_cut_around_the_themes_concept_and_keeps_words_whole():
    text = "word " * 60 + "the OTP never came to my phone " + "word " * 60
    cut = excerpts.cut(text, ["otp"])
    assert "OTP" in cut and cut.startswith("…") and cut.endswith("…")
    assert len(cut) <= excerpts.LENGTH + 2
    words = ("word", "the", "OTP", "never", "came", "to", "my", "phone")
    assert all(piece.strip("…") in words for piece in cut.split())


def test_anonymise_takes_out_every_identifier_whole():
    text = excerpts.anonymise(f"{NAME} at {EMAIL}, {PHONE}, ID {NATIONAL_ID}, www.evil.example/x", [NAME])
    assert not any(part in text for part in ("Somsak", "Jaidee", "@", "5678", "67890", "evil"))


# --- query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["supervisor", "oversight"])
def test_a_theme_page_issues_the_same_queries_for_a_small_and_a_large_theme(client, request, persona, category):
    user = request.getfixturevalue(persona)
    small = _cases(category, count=4)
    insights_refresh()
    client.force_login(user)
    url = f"/workspace/insights/themes/{_theme_of(small[0])}/"
    client.get(url)  # the chart is drawn and cached once
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(12):
        lodge(category, description=OTP[LANGUAGES[n % 4]][1].format(d=3 + n), language=LANGUAGES[n % 4])
    insights_refresh()
    url = f"/workspace/insights/themes/{_theme_of(small[0])}/"
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
    # Session, user, memberships, the oversight role, the theme, four grouped counts, the excerpts' candidates,
    # the last refresh; for a supervisor also the typical cases and the form's agencies.
    assert len(few) == {"supervisor": 13, "oversight": 11}[persona]


def test_the_oversight_themes_list_issues_the_same_queries_for_one_theme_as_for_three(client, oversight, category):
    _cases(category)
    insights_refresh()
    client.force_login(oversight)
    with CaptureQueriesContext(connection) as one:
        client.get("/workspace/insights/")
    for problem in ("health_card", "bribe"):
        _cases(category, dataset.PROBLEMS[problem])
    insights_refresh()
    with CaptureQueriesContext(connection) as three:
        page = client.get("/workspace/insights/").content.decode()
    assert page.count('<section class="card"') == 3
    assert len(three) == len(one)
