"""Start the whole portal on this machine: migrate, seed, web server and task worker.

`make run` calls this. It owns the processes it starts: Ctrl-C (or SIGTERM)
stops them all, and if one dies the others are stopped too, so nothing is
left running behind a closed terminal.

With the embedded in-memory channel layer (no ``REDIS_URL``) live updates
cannot cross processes, so the task worker and the background commands run
as threads inside the web server's process (``portal.lib.embedded``): an SLA
breach found by the sweep still reaches the browser. With Redis they run as
processes of their own, as in production.
"""

import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from portal import registry
from portal.lib.embedded import ENV_FLAG, uses_in_memory_layer
from portal.management.commands.seed_demo import accounts_table

# Websockets: no per-message deflate (it costs memory per socket, gigabytes at
# thousands of them) and a small inbound frame limit (clients send only short
# JSON: a resume request).
UVICORN_WEBSOCKET_OPTIONS = ["--ws-per-message-deflate", "false", "--ws-max-size", "16384"]

# uvicorn would otherwise believe X-Forwarded-For from any client that reaches
# it over loopback, so one client could pick a new address for every request and
# walk past the per-address limits. The app alone reads the header, trusting as
# many proxies as TRUSTED_PROXY_COUNT says, exactly as under gunicorn.
UVICORN_PROXY_OPTIONS = ["--no-proxy-headers"]

# On SIGTERM uvicorn otherwise waits for every open request to finish, without
# limit: one client that sends half a request body holds the whole shutdown. It
# gets this long, then the lifespan shutdown (portal.lib.embedded) its own few
# seconds; both together stay under the launcher's STOP_SECONDS, so Ctrl-C
# normally ends with a server that finished by itself rather than a SIGKILL.
UVICORN_SHUTDOWN_OPTIONS = ["--timeout-graceful-shutdown", "3"]

# How long the launcher waits for its children after SIGTERM before SIGKILL,
# and then for the killed ones to be gone (their exit closes the output pipe
# they share with the launcher, which whoever reads it waits for).
STOP_SECONDS = 10
REAP_SECONDS = 5


def uvicorn_command(host: str, port: int, *extra: str) -> list[str]:
    """The ASGI server as Suara runs it (``make run``, the realtime bench and its tests)."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "portal.asgi:application",
        "--host",
        host,
        "--port",
        str(port),
        "--no-access-log",
        "--lifespan",
        "on",
        *UVICORN_PROXY_OPTIONS,
        *UVICORN_WEBSOCKET_OPTIONS,
        *UVICORN_SHUTDOWN_OPTIONS,
        *extra,
    ]


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass


def _die_with_parent() -> None:
    """In the child: if the launcher itself is killed (even with SIGKILL), stop too."""
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def compile_catalogues(stderr) -> None:
    """Compile locale/*.po, which the translators keep current; the .mo files are not committed.

    Django offers a language only when it finds a compiled catalogue for it:
    Filipino and Lao, which Django itself lacks, would otherwise fall back to English.
    """
    try:
        call_command("compilemessages", ignore_patterns=[".venv", "node_modules", "var"], verbosity=0)
    except CommandError as error:  # no gettext tools on this machine: English still works
        stderr.write(f"Translations not compiled ({error}); install gettext to offer every language.")


class Command(BaseCommand):
    help = "Migrate, load demo data, and run the web server with a task worker beside it."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=None, help="Default: $PORT or 8000.")
        parser.add_argument("--no-seed", action="store_true", help="Skip the demo data.")

    def handle(self, *args, **options):
        host = options["host"]
        try:
            port = options["port"] or int(os.environ.get("PORT", "8000"))
        except ValueError:
            raise CommandError(f"PORT={os.environ['PORT']!r} is not a number.") from None
        if not 0 < port < 65536:
            raise CommandError(f"PORT={port} must be between 1 and 65535.")
        if not port_is_free(host, port):
            raise CommandError(
                f"Port {port} on {host} is already in use: another Suara (or something else) is running. "
                f"Stop it, or choose another port: PORT={port + 1} make run"
            )

        compile_catalogues(self.stderr)
        call_command("migrate", interactive=False, verbosity=0)
        if not options["no_seed"]:
            call_command("seed_demo", quiet_accounts=True)

        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        web = uvicorn_command(host, port)
        worker = [python, manage, "db_worker", "--interval", "0.5"]
        # Apps add their own long-running commands (e.g. a deadline sweep)
        # through a hook (portal.registry), so that portal imports none of them.
        background = [[python, manage, *arguments] for arguments in registry.background_commands()]
        embedded = uses_in_memory_layer()
        commands = [web] if embedded else [web, worker, *background]
        processes: list[subprocess.Popen] = []

        def stop_all(*_):
            # Each child leads its own process group, so its own children
            # (Django's autoreloader, uvicorn's workers) stop with it.
            for process in processes:
                if process.poll() is None:
                    _signal_group(process, signal.SIGTERM)
            deadline = time.monotonic() + STOP_SECONDS
            killed = []
            for process in processes:
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    _signal_group(process, signal.SIGKILL)
                    killed.append(process)
            for process in killed:
                self.stderr.write(f"{' '.join(process.args[1:4])} did not stop within {STOP_SECONDS} s; killed.")
                try:
                    process.wait(timeout=REAP_SECONDS)
                except subprocess.TimeoutExpired:
                    pass

        def interrupted(*_):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, interrupted)
        try:
            shown_host = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host  # noqa: S104 - only compared
            # Links in e-mail (escalations, acknowledgements) should point at this very server.
            child_env = {**os.environ}
            child_env.setdefault("SITE_URL", f"http://{shown_host}:{port}")
            child_env[ENV_FLAG] = "1" if embedded else "0"
            for command in commands:
                processes.append(
                    subprocess.Popen(
                        command,
                        cwd=settings.BASE_DIR,
                        env=child_env,
                        start_new_session=True,
                        preexec_fn=_die_with_parent,
                    )
                )
            self.stdout.write(
                "\n".join(
                    [
                        "",
                        f"Suara is running at http://{shown_host}:{port}/  (admin: /admin/, health: /healthz)",
                        (
                            "Embedded defaults: SQLite in var/, in-memory live updates (task worker and "
                            "background commands inside the web process), e-mail printed here."
                            if embedded
                            else "Live updates through Redis; task worker and background commands beside the server."
                        ),
                        accounts_table(),
                        "Press Ctrl-C to stop.",
                        "",
                    ]
                )
            )
            while all(process.poll() is None for process in processes):
                time.sleep(0.5)
            failed = next(process for process in processes if process.poll() is not None)
            raise CommandError(f"{' '.join(failed.args[1:4])} stopped with exit code {failed.returncode}.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping Suara…")
        finally:
            stop_all()
