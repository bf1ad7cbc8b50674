"""Odd query strings thrown at every page that reads one, by everyone who can open it: never a 5xx.

Property-based (hypothesis), bounded and derandomized so that it stays a
deterministic part of ``make test``: a fixed number of examples per page and
persona, on the test database. The API has its own schema-driven fuzzing
(tests/api/test_fuzzing.py); these are the HTML pages.
"""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from grievances.models import Category, Grievance, Region
from grievances.services import grievance_lodge
from tests.consultations.conftest import (  # noqa: F401 - fixtures
    index_page,
    make_consultation,
    manager,
    ministry,
)
from tests.factories import HOSTILE, ResponseFactory
from tests.grievances.conftest import category, policy  # noqa: F401 - fixtures
from tests.grievances.workspace.conftest import Role, member

pytestmark = pytest.mark.django_db

EXAMPLES = 25
# A PDF is rendered for almost every example: fewer of them, the same odd values first.
PDF_EXAMPLES = 6

QUEUE = ["q", "tab", "status", "category", "sla", "assignee", "region", "channel"]
QUEUE += ["lodged_from", "lodged_to", "per_page", "page"]
DASHBOARD = ["start", "end", "category", "region", "channel", "programme", "sex_gender"]

# (address, the parameters it reads, who opens it, examples). Addresses are
# filled in from the world built below.
PAGES = [
    ("/grievances/new/", [], ["anonymous", "complainant"], EXAMPLES),
    ("/grievances/track/", [], ["anonymous"], EXAMPLES),
    ("/grievances/verify/", ["code"], ["anonymous"], EXAMPLES),
    ("/grievances/{reference}/", [], ["complainant"], EXAMPLES),
    ("/grievances/{reference}/acknowledgement/", [], ["complainant"], EXAMPLES),
    ("/my/", [], ["complainant", "officer"], EXAMPLES),
    ("/workspace/queue/{agency}/", QUEUE, ["officer", "supervisor"], EXAMPLES),
    ("/workspace/cases/{reference}/", [], ["officer"], EXAMPLES),
    ("/workspace/cases/{reference}/access/", [], ["supervisor"], EXAMPLES),
    ("/workspace/monitoring/agency/{agency}/", DASHBOARD, ["supervisor"], EXAMPLES),
    ("/workspace/monitoring/agency/{agency}/indicators.csv", DASHBOARD, ["supervisor"], EXAMPLES),
    ("/workspace/monitoring/agency/{agency}/report.pdf", ["month"], ["supervisor"], PDF_EXAMPLES),
    ("/statistics/", [], ["anonymous"], EXAMPLES),
    ("/consultations/", ["topic", "owner"], ["anonymous", "owner"], EXAMPLES),
    ("{open}", [], ["anonymous", "owner"], EXAMPLES),
    ("{open}respond/", ["as"], ["anonymous", "owner"], EXAMPLES),
    ("{open}manage/", [], ["owner"], EXAMPLES),
    ("{open}manage/enter/", ["response"], ["owner"], EXAMPLES),
    ("{closed}results/", ["scope"], ["anonymous", "owner"], EXAMPLES),
    ("{closed}responses/", ["page", "scope"], ["anonymous", "owner"], EXAMPLES),
    ("{closed}manage/export/csv/", ["scope"], ["owner"], EXAMPLES),
]

CASES = [
    pytest.param(address, names, persona, examples, id=f"{persona}:{address}")
    for address, names, personas, examples in PAGES
    for persona in personas
]

# Sent as the value of every parameter of a page at once, before the generated examples.
SHARP_VALUES = ["9" * 25, str(2**63), "-1", "%00", "%ED%A0%80", "%FF", "9999-12-31", "0001-01-01", "x" * 5000]

# Values as they travel in an address (already percent-encoded).
ODD_VALUES = st.one_of(
    st.sampled_from(SHARP_VALUES),
    st.integers(min_value=2**31 - 2, max_value=10**40).map(str),  # past int and bigint
    st.integers(max_value=0).map(str),
    st.sampled_from(
        [
            "%00",
            "1%00",
            "%ED%A0%80",  # a lone surrogate, UTF-8-encoded
            "%ED%BF%BF2",
            "%FF%FE%80",  # not UTF-8 at all
            "%C0%AF",  # an overlong slash
            "9999-12-31",
            "0001-01-01",
            "2026-02-30",
            "99999999999999999999-01",
            "1e400",
            "NaN",
            "-0",
            "1.5",
            "+1",
            "%2B1",
            "%20%0A1",
            "all",
            "published",
            "none",
        ]
    ),
    st.integers(min_value=1000, max_value=6000).map(lambda n: "9" * n),
    st.integers(min_value=1000, max_value=6000).map(lambda n: "x" * n),
    st.text(max_size=40).map(lambda text: quote(text, safe="")),
)


def _query(names: list[str]):
    # Every parameter the page reads at once (none, one value or a list of two), and a stranger.
    per_name = {name: st.lists(ODD_VALUES, max_size=2) for name in [*names, "zz"]}
    return st.fixed_dictionaries(per_name).map(
        lambda values: "&".join(f"{key}={value}" for key, items in values.items() for value in items)
    )


@pytest.fixture
def world(client, category, index_page, make_consultation, manager, ministry, monkeypatch):  # noqa: F811
    """One of everything the pages show, and a client per persona."""
    monkeypatch.setattr("portal.middleware.needs_second_factor", lambda user: False)
    agency = category.parent.agency
    Region.objects.create(name="Khon Kaen", code="kkc")
    Category.objects.create(parent=category.parent, name=f"Late payment {HOSTILE}")
    lodged = grievance_lodge(
        category=category,
        description=f"My payment did not arrive. {HOSTILE}",
        contact_preference=Grievance.Contact.NONE,
        anonymous=True,
    )
    open_consultation = make_consultation("open")
    closed = make_consultation("closed")
    ResponseFactory(consultation=closed)
    ResponseFactory(consultation=open_consultation, channel="paper", respondent=None)
    officer = member(agency, Role.CASE_OFFICER)
    supervisor = member(agency, Role.SUPERVISOR)
    return {
        "fill": {
            "reference": lodged.grievance.reference,
            "agency": agency.slug,
            "open": open_consultation.url,
            "closed": closed.url,
        },
        "pin": lodged.pin,
        "people": {"officer": officer, "supervisor": supervisor, "owner": manager},
    }


def _client_for(persona: str, client, world):
    if persona == "complainant":
        reference = world["fill"]["reference"]
        response = client.post("/grievances/track/", {"reference": reference, "pin": world["pin"]})
        assert response.status_code == 302
    elif persona != "anonymous":
        client.force_login(world["people"][persona])
    return client


@pytest.mark.parametrize(("address", "names", "persona", "examples"), CASES)
def test_odd_query_parameters_never_give_a_server_error(client, world, address, names, persona, examples):
    browser = _client_for(persona, client, world)
    path = address.format(**world["fill"])
    assert browser.get(path).status_code < 400, path  # the page itself opens for this persona

    @given(query=_query(names))
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def probe(query):
        response = browser.get(f"{path}?{query}")
        assert response.status_code < 500, f"{persona} GET {path}?{query[:300]}: {response.status_code}"

    for value in SHARP_VALUES:
        probe = example(query="&".join(f"{name}={value}" for name in [*names, "zz"]))(probe)
    probe()
