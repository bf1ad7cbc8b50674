"""`make run`'s launcher: it serves, it refuses a busy port clearly, and Ctrl-C stops all it started."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.conf import settings

from tests.conftest import PROJECT_DIR, free_port

pytestmark = pytest.mark.smoke


def launch(env, port):
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_portal", "--port", str(port)],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # like a terminal: Ctrl-C reaches the whole group
    )


def wait_for_health(port, deadline):
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                return response.status
        except OSError:
            time.sleep(0.3)
    return None


def children_of(pid) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def test_run_portal_serves_and_ctrl_c_stops_everything(subprocess_env, tmp_path):
    env = {**subprocess_env, "SUARA_VAR_DIR": str(tmp_path)}
    port = free_port()
    launcher = launch(env, port)
    try:
        assert wait_for_health(port, time.monotonic() + 90) == 200
        children = children_of(launcher.pid)
        # The web server, the task worker, and any scheduled commands.
        assert len(children) == 2 + len(getattr(settings, "SUARA_BACKGROUND_COMMANDS", []))

        # A second launch on the same port says so in one sentence.
        second = subprocess.run(
            [sys.executable, "manage.py", "run_portal", "--port", str(port), "--no-seed"],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode != 0 and f"Port {port}" in second.stderr and "already in use" in second.stderr

        os.killpg(launcher.pid, signal.SIGINT)
        output, _ = launcher.communicate(timeout=30)
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)  # the launcher and everything it started
            launcher.wait(timeout=10)
    assert "Suara is running at http://localhost:" in output
    assert "officer@demo.suara.test" in output
    assert launcher.returncode == 0, output
    for pid in children:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is not "in use"
        probe.bind(("127.0.0.1", port))  # the port is free again


def test_killing_the_launcher_outright_stops_what_it_started(subprocess_env, tmp_path):
    env = {**subprocess_env, "SUARA_VAR_DIR": str(tmp_path)}
    port = free_port()
    launcher = launch(env, port)
    try:
        assert wait_for_health(port, time.monotonic() + 90) == 200
        children = children_of(launcher.pid)
        launcher.kill()  # SIGKILL: the launcher cannot clean up
        launcher.wait(timeout=10)
        deadline = time.monotonic() + 15
        alive = children
        while alive and time.monotonic() < deadline:
            time.sleep(0.3)
            alive = [
                pid for pid in children if subprocess.run(["kill", "-0", str(pid)], capture_output=True).returncode == 0
            ]
        assert alive == []
    finally:
        for pid in children_of(launcher.pid):
            os.kill(pid, signal.SIGKILL)
