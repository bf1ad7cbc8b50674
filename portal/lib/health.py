"""Liveness and readiness: is each piece Suara depends on answering?"""

from __future__ import annotations

import asyncio
import time
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from portal.lib import fonts

PROBE_TIMEOUT_SECONDS = 2.0
# A task that has waited this long means no worker is draining the queue.
STALE_TASK_SECONDS = 300


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def check_cache() -> str:
    ping = getattr(cache, "ping", None)
    if ping is not None:
        ping()
        return "redis"
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", 5)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not return what was stored")
    cache.delete(key)
    return type(cache).__name__


def check_channel_layer() -> str:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")

    async def round_trip() -> None:
        channel = await layer.new_channel("healthz.")
        receiving = asyncio.ensure_future(layer.receive(channel))
        await asyncio.sleep(0)
        await layer.send(channel, {"type": "healthz.ping"})
        message = await receiving
        if message.get("type") != "healthz.ping":
            raise RuntimeError("channel layer returned a different message")

    async def bounded() -> None:
        await asyncio.wait_for(round_trip(), timeout=PROBE_TIMEOUT_SECONDS)

    async_to_sync(bounded)()
    return type(layer).__name__


def check_task_backend() -> str:
    from django_tasks_db.models import DBTaskResult

    oldest = DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    if oldest is not None and (timezone.now() - oldest).total_seconds() > STALE_TASK_SECONDS:
        raise RuntimeError(f"a task has waited since {oldest.isoformat()}: is a worker running?")
    return "database"


# Reading fontconfig's whole catalogue takes about 100 ms, and fonts change
# only with a package install: a load balancer polling /healthz every few
# seconds gets the answer found at most this long ago.
FONTS_RECHECK_SECONDS = 300
_fonts_checked: tuple[float, list[str]] | None = None


def pdf_font_warnings() -> list[str]:
    """A missing font degrades printed documents only: a warning, never a reason to stop serving."""
    global _fonts_checked
    now = time.monotonic()
    if _fonts_checked is None or now - _fonts_checked[0] > FONTS_RECHECK_SECONDS:
        _fonts_checked = (now, fonts.missing_fonts())
    missing = _fonts_checked[1]
    if missing:
        packages = " ".join(fonts.packages_for(missing))
        return [f"PDF fonts missing: {', '.join(missing)} (install {packages})"]
    return []


# What the site needs to serve requests properly; /readyz answers 503 when one is down.
CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "channel_layer": check_channel_layer,
    "tasks": check_task_backend,
}


def run_checks() -> dict[str, dict]:
    results: dict[str, dict] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            detail = check()
        except Exception as exc:  # any failure means "down"; say why
            results[name] = {"status": "down", "error": f"{type(exc).__name__}: {exc}"[:300]}
        else:
            results[name] = {"status": "up", "backend": detail}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return results
