import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.core.cache import caches

from consultations.models import OrganizationIndexPage
from consultations.services import organization_section_ensure
from portal.models import Membership, Organization
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

PROJECT_DIR = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(items):
    # Browser tests last: they flush the database (transactional) and hold an
    # event loop while the browser is open.
    items.sort(key=lambda item: "/e2e/" in str(item.path))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness is for attackers, not for a test suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth's rate limits and Wagtail's site lookup live in the cache;
    # one test's counters must not leak into the next.
    for cache in caches.all():
        cache.clear()
    yield


# --- organizations' sections of the page tree ---


@pytest.fixture
def sections(home_page, union, other_union):
    """The riders' union's own section and another union's, under one organizations index."""
    index = home_page.add_child(instance=OrganizationIndexPage(title="Organizations", slug="organizations"))
    return {
        "own": organization_section_ensure(organization=union, index_page=index),
        "other": organization_section_ensure(organization=other_union, index_page=index),
    }


# --- personas ---------------------------------------------------------------


@pytest.fixture
def agency(db):
    return OrganizationFactory(kind=Organization.Kind.GOVERNMENT, name="Social Security Office", slug="sso-test")


@pytest.fixture
def other_agency(db):
    return OrganizationFactory(kind=Organization.Kind.GOVERNMENT, name="Labour Department", slug="dlpw-test")


@pytest.fixture
def union(db):
    return OrganizationFactory(kind=Organization.Kind.WORKERS, name="Riders' Union", slug="riders-test")


@pytest.fixture
def other_union(db):
    return OrganizationFactory(kind=Organization.Kind.WORKERS, name="Domestic Workers' Network", slug="dwn-test")


@pytest.fixture
def beneficiary(db):
    return UserFactory(email="malee@example.org")


@pytest.fixture
def officer(agency):
    return MembershipFactory(organization=agency, role=Membership.Role.CASE_OFFICER).user


@pytest.fixture
def union_rep(union):
    return MembershipFactory(organization=union, role=Membership.Role.REPRESENTATIVE).user


# --- the page tree ------------------------------------------------------------


@pytest.fixture
def home_page(db):
    """The home page and default site, as the migrations make them.

    Transactional tests (the browser ones) flush the database afterwards,
    taking migration data with them, so recreate it when it is missing.
    """
    from wagtail.models import Locale, Page, Site

    from home.models import HomePage

    page = HomePage.objects.first()
    if page is None:
        Locale.objects.get_or_create(language_code="en")
        root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
        page = root.add_child(
            instance=HomePage(title="Suara: be heard on social protection", slug="home", intro="Welcome")
        )
    if not Site.objects.filter(is_default_site=True).exists():
        Site.objects.create(hostname="localhost", root_page=page, is_default_site=True, site_name="Suara")
    return page


# --- a real Redis we may stop -------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A throwaway redis-server on its own port, so a test may stop it."""

    def __init__(self, tmp_path: Path, port: int | None = None):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed; install Debian's redis-server package")
        self.port = port or free_port()
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        pytest.fail("redis-server did not start")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def subprocess_env():
    """The environment for a child `manage.py`: this one, minus what tests would leak."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env["SUARA_VAR_DIR"] = os.environ.get("SUARA_TEST_VAR_DIR", str(PROJECT_DIR / "var" / "test-subprocess"))
    return env
