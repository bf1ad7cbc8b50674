"""One small HTTP client for gateways' REST APIs: a kept-alive connection per host and thread.

A worker sending hundreds of texts a minute to one gateway must not open a
TLS connection for each; a connection that broke is opened again once.
"""

from __future__ import annotations

import http.client
import threading
from urllib.parse import urlsplit

_local = threading.local()


class GatewayError(Exception):
    """The gateway could not be reached, or answered with an error (``status`` None when unreachable)."""

    def __init__(self, message: str, *, status: int | None = None, retry: bool = True):
        super().__init__(message)
        self.status = status
        self.retry = retry


def _connection(scheme: str, host: str, port: int, timeout: float) -> http.client.HTTPConnection:
    pool = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = {}
    key = (scheme, host, port)
    connection = pool.get(key)
    if connection is None:
        cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        connection = pool[key] = cls(host, port, timeout=timeout)
    return connection


def request(
    method: str, url: str, *, body: bytes = b"", headers: dict[str, str], timeout: float = 10
) -> tuple[int, bytes]:
    """Send one request; returns (status, body). Raises :class:`GatewayError` when unreachable."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise GatewayError(f"unsupported gateway address {url!r}", retry=False)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    last_error: Exception | None = None
    for _attempt in range(2):  # a kept-alive connection the server closed is opened again once
        connection = _connection(parts.scheme, parts.hostname, port, timeout)
        try:
            connection.request(method, target, body=body or None, headers=headers)
            response = connection.getresponse()
            return response.status, response.read(64 * 1024)
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            _local.pool.pop((parts.scheme, parts.hostname, port), None)
            last_error = exc
    raise GatewayError(str(last_error)[:300] or last_error.__class__.__name__)
