"""The request id of the work being done now, carried across threads, tasks and sockets.

A context variable, so that a request's id does not leak into the next
request served by the same thread, and async code (the ASGI consumers) gets
its own per task.
"""

from __future__ import annotations

import re
import secrets
from contextlib import contextmanager
from contextvars import ContextVar

_request_id: ContextVar[str] = ContextVar("suara_request_id", default="")

# What a proxy may hand us in X-Request-ID; anything else is replaced, so a
# client cannot write arbitrary text (or a forged JSON fragment) into our logs.
_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def new_id() -> str:
    return secrets.token_hex(12)


def accept_id(candidate: str | None) -> str:
    """The proxy's id when it looks like one, otherwise a fresh one."""
    if candidate and _VALID.match(candidate):
        return candidate
    return new_id()


def current() -> str:
    return _request_id.get()


def enter(request_id: str):
    """Bind until :func:`leave` with the returned token (for work split across callbacks)."""
    return _request_id.set(request_id)


def leave(token) -> None:
    _request_id.reset(token)


@contextmanager
def bound(request_id: str):
    token = _request_id.set(request_id)
    try:
        yield request_id
    finally:
        _request_id.reset(token)
