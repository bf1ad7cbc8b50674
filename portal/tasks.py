"""Background tasks every app shares."""

import os
import time

from django.tasks import task


@task
def ping() -> str:
    """A no-op that proves a worker is taking tasks (used by tests and operators)."""
    return "pong"


# An operator (or `make prod-check`) proves that a task in hand survives the
# loss of its worker: a canary that takes a while, so the worker holding it
# can be stopped mid-task. Bounded, so it cannot be used to tie workers up.
CANARY_MAX_SECONDS = 30


@task
def canary(seconds: float = 5.0) -> int:
    """Wait ``seconds`` (at most 30), then return the pid of the worker that finished it."""
    time.sleep(max(0.0, min(float(seconds), CANARY_MAX_SECONDS)))
    return os.getpid()
