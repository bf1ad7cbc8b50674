"""The embedded default's background work, inside the web server's process.

Without Redis the channel layer lives in memory, in one process: an event
raised by a task worker or a background command running as a process of its
own would never reach a browser. So in that mode (``make run`` without
``REDIS_URL``) ``run_portal`` starts only the ASGI server, with
``SUARA_EMBEDDED_BACKGROUND=1``, and the server runs the task worker and the
background commands it is given as threads. Their
broadcasts are scheduled onto the server's event loop
(``portal.lib.realtime.use_server_loop``), where the in-memory layer's queues live.

Production never uses this: there each of them is a process of its own and
Redis carries the events between them.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import threading
import time
from collections.abc import Callable

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.management import call_command
from django.db import close_old_connections, connections

from portal.lib import realtime

logger = logging.getLogger(__name__)

ENV_FLAG = "SUARA_EMBEDDED_BACKGROUND"
WORKER_INTERVAL_SECONDS = 0.5
# The lifespan shutdown's share of run_portal's stop budget (see UVICORN_SHUTDOWN_OPTIONS there).
STOP_SECONDS = 4.0


def enabled() -> bool:
    return os.environ.get(ENV_FLAG) == "1"


def uses_in_memory_layer() -> bool:
    backend = settings.CHANNEL_LAYERS.get("default", {}).get("BACKEND", "")
    return backend.endswith("InMemoryChannelLayer")


class Background:
    """The task worker and the repeating background commands, as daemon threads."""

    def __init__(self, commands: list[list[str]]):
        self.commands = list(commands)
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.worker = None

    def start(self) -> None:
        from django.utils.crypto import get_random_string
        from django_tasks_db.management.commands.db_worker import Worker

        self.worker = Worker(
            queue_names=["*"],
            interval=WORKER_INTERVAL_SECONDS,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=f"embedded-{get_random_string(12)}",
            excluded_queue_names=[],
        )
        self._spawn("suara-task-worker", self._run_worker)
        for arguments in self.commands:
            name, every, rest = _split_every(arguments)
            self._spawn(f"suara-{name}", self._run_command, name, every, rest)

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """Ask every thread to stop and wait for them, ``timeout`` seconds in all.

        A thread inside a long task or round is left behind (they are daemon
        threads, so the process still exits): one deadline shared by all,
        rather than one each, keeps the server's shutdown short whatever they
        are doing.
        """
        self.stopping.set()
        if self.worker is not None:
            self.worker.running = False
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        busy = [thread.name for thread in self.threads if thread.is_alive()]
        if busy:
            logger.warning("Stopping without waiting further for %s", ", ".join(busy))

    def _spawn(self, name: str, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def _run_worker(self) -> None:
        try:
            self.worker.run()
        except Exception:
            logger.exception("The embedded task worker stopped")
        finally:
            connections.close_all()

    def _run_command(self, name: str, every: float, arguments: list[str]) -> None:
        # A command given "--every N" repeats itself in a loop with signal
        # handlers, which only the main thread may install; here the thread
        # does the repeating and runs the command once each time.
        while not self.stopping.is_set():
            try:
                close_old_connections()
                call_command(name, *arguments)
            except Exception:
                logger.exception("Background command %s failed", name)
            finally:
                connections.close_all()
            if not every or self.stopping.wait(every):
                return


def _split_every(arguments: list[str]) -> tuple[str, float, list[str]]:
    name, rest = arguments[0], list(arguments[1:])
    every = 0.0
    if "--every" in rest:
        at = rest.index("--every")
        every = float(rest[at + 1])
        del rest[at : at + 2]
    return name, every, rest


def keep_websocket_thread_connection() -> None:
    """Let the websocket thread keep its database connection.

    Outside HTTP requests (which each get a thread of their own under ASGI,
    hence ``CONN_MAX_AGE = 0`` there) Channels runs sync code, such as
    ``AuthMiddlewareStack``'s user lookup for every new socket, in one thread
    per process. Marked as never obsolete, that thread's connection is kept
    instead of being opened and closed for every socket; one that errors is
    still closed and replaced (then opened per socket again, which is slower
    but correct).
    """
    try:
        for connection in connections.all():
            connection.ensure_connection()
            connection.close_at = None
    except Exception:
        logger.warning("No database at start-up; websocket joins will open a connection each", exc_info=True)


_keep_connections = False


def keeps_connections() -> bool:
    """True in a server process whose websocket threads keep their database connections (see below)."""
    return _keep_connections


class Lifespan:
    """ASGI wrapper: on start-up remember the server's event loop (and, when asked, run the background work).

    ``background_commands``: returns the ``manage.py`` argument lists to run
    beside the server in the embedded mode.
    ``keep_connections``: let the threads that serve websockets keep their
    database connections for the life of the process (a test server that
    shares the test database turns it off, so the database can be dropped).
    """

    def __init__(self, app, *, keep_connections: bool = True, background_commands: Callable[[], list] = list):
        self.app = app
        self.keep_connections = keep_connections
        # Asked for at start-up, when every app is loaded.
        self.background_commands = background_commands
        self.background: Background | None = None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "lifespan":
            return await self.app(scope, receive, send)
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                # Everything loaded so far (Django, templates, URL patterns) lives
                # as long as the process: keep it out of the collector's full
                # passes, which otherwise pause every open socket's updates.
                gc.collect()
                gc.freeze()
                realtime.use_server_loop(asyncio.get_running_loop())
                if self.keep_connections:
                    global _keep_connections
                    _keep_connections = True
                    await sync_to_async(keep_websocket_thread_connection, thread_sensitive=True)()
                if enabled():
                    self.background = Background(self.background_commands())
                    self.background.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.background is not None:
                    await asyncio.to_thread(self.background.stop)
                realtime.use_server_loop(None)
                await sync_to_async(connections.close_all, thread_sensitive=True)()
                await send({"type": "lifespan.shutdown.complete"})
                return
