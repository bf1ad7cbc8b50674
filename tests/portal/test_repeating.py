"""The scheduled commands' shared loop: one round, or rounds every N seconds until SIGTERM."""

import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, env, **kwargs):
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        **kwargs,
    )


@pytest.mark.parametrize("command", ["sla_sweep", "consultation_notices", "statistics_refresh"])
def test_a_scheduled_command_repeats_until_sigterm_and_then_exits_cleanly(command, subprocess_env, tmp_path):
    env = dict(subprocess_env, SUARA_VAR_DIR=str(tmp_path))
    migrate = subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=False)
    assert migrate.returncode == 0
    process = manage(command, "--every", "0.2", "-v", "2", env=env)
    # -v 2: a line per round. Wait for two rounds, however slow the start-up on a busy machine.
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    first_rounds = [lines.get(timeout=60), lines.get(timeout=60)]
    assert process.poll() is None, b"".join(first_rounds).decode()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0


def test_every_must_not_be_negative(subprocess_env, tmp_path):
    env = dict(subprocess_env, SUARA_VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "manage.py", "sla_sweep", "--every", "-1"], cwd=ROOT, env=env, capture_output=True, check=False
    )
    assert result.returncode != 0
    assert b"--every must be positive" in result.stderr
