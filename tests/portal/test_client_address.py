"""The address the limits count comes from TRUSTED_PROXY_COUNT alone, whatever server runs the app."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from portal.management.commands.run_portal import uvicorn_command
from tests.conftest import PROJECT_DIR, free_port

pytestmark = pytest.mark.smoke

OPEN311_SERVICES = "/api/open311/v2/services.json"


def status_of(port: int, forwarded_for: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{OPEN311_SERVICES}", headers={"X-Forwarded-For": forwarded_for}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def wait_until_serving(port: int, server: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        assert server.poll() is None, "uvicorn stopped"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail("uvicorn did not start")


def test_a_forged_x_forwarded_for_does_not_change_the_address_uvicorn_limits_count(subprocess_env, tmp_path):
    # No proxy in front: a client that names its own address in X-Forwarded-For
    # must still share one allowance with itself.
    env = {
        **subprocess_env,
        "SUARA_VAR_DIR": str(tmp_path),
        "TRUSTED_PROXY_COUNT": "0",
        "SUARA_OPEN311_RATE_LIMIT_PER_MINUTE": "3",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=PROJECT_DIR, env=env, check=True
    )
    port = free_port()
    server = subprocess.Popen(
        uvicorn_command("127.0.0.1", port, "--log-level", "warning"),
        cwd=PROJECT_DIR,
        env=env,
        start_new_session=True,
    )
    try:
        wait_until_serving(port, server, time.monotonic() + 60)
        # The allowance is counted per clock minute: four requests that straddle a minute's end
        # would start a fresh count. Start early in a minute.
        left_in_minute = 60 - time.time() % 60
        if left_in_minute < 20:
            time.sleep(left_in_minute + 0.5)
        statuses = [status_of(port, f"203.0.113.{n}") for n in range(1, 5)]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
    assert statuses == [200, 200, 200, 429]
