"""`make run`'s launcher: it serves, it refuses a busy port clearly, and Ctrl-C stops all it started."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

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


class Output:
    """The launcher's output, read as it comes, so a full pipe never blocks it and EOF is not waited for."""

    def __init__(self, launcher):
        self.lines = []
        self.thread = threading.Thread(target=self._read, args=(launcher.stdout,), daemon=True)
        self.thread.start()

    def _read(self, stream):
        for line in stream:
            self.lines.append(line)

    def text(self) -> str:
        self.thread.join(timeout=10)  # the rest, once every writer has exited
        return "".join(self.lines)


def ctrl_c(launcher, output: Output) -> str:
    """Ctrl-C in the launcher's terminal; returns what it printed. Generous: a busy machine is slow, not hung."""
    os.killpg(launcher.pid, signal.SIGINT)
    try:
        launcher.wait(timeout=60)
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)  # the launcher and everything it started
            launcher.wait(timeout=10)
    return output.text()


def gone(pid) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def children_of(pid) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def test_run_portal_serves_and_ctrl_c_stops_everything(subprocess_env, tmp_path):
    env = {**subprocess_env, "SUARA_VAR_DIR": str(tmp_path)}
    port = free_port()
    launcher = launch(env, port)
    output = Output(launcher)
    try:
        assert wait_for_health(port, time.monotonic() + 90) == 200
        children = children_of(launcher.pid)
        # Embedded default (in-memory live updates): the web server alone; the
        # task worker and the scheduled commands run inside it (portal.lib.embedded).
        assert len(children) == 1

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
    finally:
        text = ctrl_c(launcher, output)
    assert "Suara is running at http://localhost:" in text
    assert "officer@demo.suara.test" in text
    assert launcher.returncode == 0, text
    assert all(gone(pid) for pid in children)
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is not "in use"
        probe.bind(("127.0.0.1", port))  # the port is free again


def test_ctrl_c_stops_the_server_by_itself_even_with_a_request_stalled_mid_body(subprocess_env, tmp_path):
    """A client that never finishes its request does not hold the shutdown until the launcher has to SIGKILL."""
    env = {**subprocess_env, "SUARA_VAR_DIR": str(tmp_path)}
    port = free_port()
    launcher = launch(env, port)
    output = Output(launcher)
    try:
        assert wait_for_health(port, time.monotonic() + 90) == 200
        children = children_of(launcher.pid)
        stalled = socket.create_connection(("127.0.0.1", port), timeout=10)
        stalled.sendall(b"POST /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nonly a part")
    finally:
        text = ctrl_c(launcher, output)
    stalled.close()
    assert launcher.returncode == 0, text
    assert "killed" not in text, text
    assert "Finished server process" in text, text  # uvicorn's last words: it ended on its own
    assert all(gone(pid) for pid in children)


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


SETUP_BREACHED_CASE = """
import json
from datetime import timedelta
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from grievances.models import Category, Grievance
from grievances.services import grievance_lodge
from portal.models import User
officer = User.objects.get(email="officer@demo.suara.test")
agency = officer.memberships.filter(active=True).first().organization
category = Category.objects.filter(parent__agency=agency, parent__sensitive=False, sensitive=False).first()
case = grievance_lodge(category=category, description="Embedded live test", contact_preference="none", anonymous=True).grievance
past = timezone.localdate() - timedelta(days=30)
Grievance.objects.filter(pk=case.pk).update(due_on=past, at_risk_on=past - timedelta(days=3))
session = SessionStore()
session[SESSION_KEY] = str(officer.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = officer.get_session_auth_hash()
session.create()
print(json.dumps({"session": session.session_key, "agency": agency.slug, "reference": case.reference}))
"""

ENQUEUE_SWEEP = "from grievances.tasks import sweep_deadlines; sweep_deadlines.enqueue()"


def manage_shell(env, code: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


def test_an_event_raised_by_the_task_worker_reaches_a_browser_in_the_embedded_default(subprocess_env, tmp_path):
    """No Redis: the worker runs inside the server, so the in-memory layer carries its events."""
    from websockets.sync.client import connect

    env = {**subprocess_env, "SUARA_VAR_DIR": str(tmp_path)}
    port = free_port()
    launcher = launch(env, port)
    try:
        assert wait_for_health(port, time.monotonic() + 90) == 200
        setup = json.loads(manage_shell(env, SETUP_BREACHED_CASE))
        with connect(
            f"ws://127.0.0.1:{port}/ws/workspace/queue/{setup['agency']}/",
            additional_headers={"Cookie": f"sessionid={setup['session']}", "Origin": f"http://127.0.0.1:{port}"},
            open_timeout=10,
        ) as socket:
            # Another process only writes the task to the database; the
            # embedded worker runs the sweep, whose escalation is announced.
            manage_shell(env, ENQUEUE_SWEEP)
            deadline = time.monotonic() + 20
            row = None
            while time.monotonic() < deadline and row is None:
                message = json.loads(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
                if message.get("type") == "row" and message.get("reference") == setup["reference"]:
                    row = message
        assert row is not None and "breached" in row["tabs"]
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGINT)
            try:
                launcher.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(launcher.pid, signal.SIGKILL)
                launcher.wait(timeout=10)


def test_websockets_are_served_without_compression_and_with_a_small_frame_limit():
    from portal.management.commands.run_portal import UVICORN_WEBSOCKET_OPTIONS

    options = dict(zip(UVICORN_WEBSOCKET_OPTIONS[::2], UVICORN_WEBSOCKET_OPTIONS[1::2], strict=True))
    assert options["--ws-per-message-deflate"] == "false"  # zlib state per socket: gigabytes at thousands
    assert int(options["--ws-max-size"]) <= 65536  # clients only send a short resume request
