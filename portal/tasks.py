"""Background tasks every app shares."""

from django.tasks import task


@task
def ping() -> str:
    """A no-op that proves a worker is taking tasks (used by tests and operators)."""
    return "pong"
