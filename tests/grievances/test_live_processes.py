"""Two ASGI server processes sharing PostgreSQL and Redis: a change made through one reaches a socket on the other.

Needs ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL``, as CI sets them; the
servers are real uvicorn processes started with the options ``run_portal``
uses, on the test database.
"""

import json
import os
import re
import subprocess
import time
import urllib.parse
import urllib.request

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from grievances import services
from grievances.models import Category, Grievance, SLAPolicy
from portal.management.commands.run_portal import uvicorn_command
from portal.models import Membership
from tests.conftest import PROJECT_DIR, free_port
from tests.factories import MembershipFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"),
        reason="needs DATABASE_URL (PostgreSQL) and REDIS_URL: several processes share them (CI sets both)",
    ),
]


def database_url() -> str:
    """The test database (pytest-django's), as a URL for the child processes."""
    params = connection.settings_dict
    user = urllib.parse.quote(params.get("USER") or "")
    password = f":{urllib.parse.quote(params['PASSWORD'])}" if params.get("PASSWORD") else ""
    host, port = params.get("HOST") or "127.0.0.1", params.get("PORT") or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{params['NAME']}"


class Server:
    """One uvicorn process serving ``portal.asgi`` on its own port."""

    def __init__(self, env: dict):
        self.port = free_port()
        self.process = subprocess.Popen(
            uvicorn_command("127.0.0.1", self.port),
            cwd=PROJECT_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"uvicorn stopped: {self.process.stderr.read()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        pytest.fail("uvicorn did not answer /healthz")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


@pytest.fixture
def servers(subprocess_env):
    # The same secret as this process: the servers must accept its session cookies.
    env = {
        **subprocess_env,
        "DATABASE_URL": database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "SECRET_KEY": django_settings.SECRET_KEY,
    }
    started = [Server(env), Server(env)]
    try:
        for server in started:
            server.wait()
        yield started
    finally:
        for server in started:
            server.stop()


def post_note(server: Server, session: str, reference: str, body: str) -> int:
    """Add an internal note through the staff case page's form, as a browser would."""
    cookie = f"{django_settings.SESSION_COOKIE_NAME}={session}"
    page = urllib.request.urlopen(
        urllib.request.Request(f"{server.url}/workspace/cases/{reference}/", headers={"Cookie": cookie}), timeout=10
    )
    html = page.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", page.headers.get("Set-Cookie", "")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    version = re.search(r'name="note-version" value="(\d+)"', html).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "note-version": version, "note-body": body}).encode()
    request = urllib.request.Request(
        f"{server.url}/workspace/cases/{reference}/note/",
        data=data,
        headers={"Cookie": f"{cookie}; csrftoken={csrf_cookie}", "Origin": server.url, "Referer": server.url + "/"},
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        response = urllib.request.build_opener(NoRedirect).open(request, timeout=10)
        return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_change_made_through_one_server_reaches_a_socket_on_the_other(servers, agency, beneficiary):
    from websockets.sync.client import connect

    policy = SLAPolicy.objects.create(name="Two processes")
    theme = Category.objects.create(name="Payments", agency=agency, sla_policy=policy)
    category = Category.objects.create(parent=theme, name="Payment not received")
    # A demo-domain address: development lets demo staff skip the second factor.
    officer = MembershipFactory(
        organization=agency,
        role=Membership.Role.CASE_OFFICER,
        user=UserFactory(email="officer-live@demo.suara.test"),
    ).user
    grievance = services.grievance_lodge(
        category=category,
        description="Payment missing",
        contact_preference=Grievance.Contact.ACCOUNT,
        complainant=beneficiary,
    ).grievance
    browser = Client()
    browser.force_login(officer)
    session = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    first, second = servers

    with connect(
        f"ws://127.0.0.1:{first.port}/ws/workspace/cases/{grievance.reference}/",
        additional_headers={"Cookie": f"{django_settings.SESSION_COOKIE_NAME}={session}", "Origin": first.url},
        open_timeout=10,
    ) as socket:
        time.sleep(0.3)  # the group join has reached Redis
        assert post_note(second, session, grievance.reference, "Written through the second server") == 302
        deadline = time.monotonic() + 10
        received = None
        while received is None and time.monotonic() < deadline:
            message = json.loads(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("type") == "event":
                received = message
    assert received is not None
    assert "Written through the second server" in received["events"][-1]["html"]
