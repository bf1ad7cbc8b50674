"""How fast and how heavy is the portal's home page, next to a bare Django page?

What it measures, on this machine, in one run:

* ``home_rps`` and ``home_p99_ms``: requests per second and the 99th
  percentile latency of the home page, served the way the production sketch
  serves it: ``DJANGO_ENV=production``, PostgreSQL, the Redis cache, static
  files collected into whitenoise's manifest storage, and
  ``gunicorn portal.wsgi:application -w 2`` (two sync workers).
* ``bare_rps``: the same gunicorn command serving ``bench/bare``, a Django
  project with no database, one view and one template of about the same HTML
  size. ``ratio = home_rps / bare_rps`` is what the portal keeps of Django's
  own speed.
* ``home_queries``: SQL queries one anonymous request for the home page
  makes with a warm cache, counted in a child process with the production
  settings and ``CaptureQueriesContext``.
* ``home_kb``: the HTML, CSS and JavaScript the home page loads, as
  transferred (headers and bodies, asked for with ``Accept-Encoding: gzip``);
  1 KB = 1000 bytes, as browser tools count.
* For comparison only, the home page on ``uvicorn portal.asgi:application
  --workers 2`` (skip it with ``--no-uvicorn``), configured by the project
  alone: portal/asgi.py turns persistent database connections off, which leak
  under ASGI; were it not to, PostgreSQL would run out of connections and the
  bench would stop on the errors.
* With ``--uncached``, also the home page with ``SUARA_PAGE_CACHE_SECONDS=0``:
  every request built, as for a signed-in visitor. Its query count is always
  printed.

While wrk runs, the script adds up the CPU time of every process on the
machine and warns when processes other than the servers, wrk, PostgreSQL and
Redis took more than 10% of it: the figures are then low and the ratio
unreliable.

Load comes from ``wrk`` (a short warm-up, then the measured run). The script
starts and stops every server itself, on free ports of 127.0.0.1, and talks
to nothing else.

Run it from the project root::

    make bench                      # or: .venv/bin/python bench/pages.py
    .venv/bin/python bench/pages.py --duration 20 --connections 32
    .venv/bin/python bench/pages.py --uncached  # adds the no-page-cache row
    .venv/bin/python bench/pages.py --help      # --no-uvicorn, --strict, --keep-logs

Environment: ``DATABASE_URL`` (default
``postgres://root@127.0.0.1:5432/suara_bench``, created when missing; its
tables are migrated and the demo data is loaded) and ``REDIS_URL`` (default
``redis://127.0.0.1:6379/0``). Needs ``wrk`` (``apt-get install wrk``).

The last line printed is the summary::

    pages: home_rps=A bare_rps=B ratio=R home_p99_ms=C home_queries=Q home_kb=K

preceded by one PASS/FAIL line per goal. The exit status is 0 when the
measurements were made (``--strict``: 1 when a goal is missed), 2 when they
could not be.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # .venv/bin when run as .venv/bin/python
HOST = "127.0.0.1"

DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/suara_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"

RATIO_GOAL = 0.5  # home_rps / bare_rps, at least
QUERIES_GOAL = 10  # SQL queries per home page, at most
KB_GOAL = 100  # HTML + CSS + JS transferred, below

WARMUP_SECONDS = 3
READY_TIMEOUT = 40


def import_from_project_root() -> None:
    """Put the project root on sys.path in place of bench/.

    `python bench/pages.py` puts bench/ first, where a sibling script named
    like a standard module (bench/queue.py) would shadow it for psycopg,
    redis and Django, which are imported later. The root also makes
    `portal` and `bench.bare` importable in the child processes.
    """
    here = ROOT / "bench"
    sys.path[:] = [entry for entry in sys.path if not entry or Path(entry).resolve() != here]
    sys.path.insert(0, str(ROOT))


class BenchError(Exception):
    """Something the benchmark needs is missing or broke; the message says what."""


def say(message: str = "") -> None:
    print(message, flush=True)


# --- Preflight ----------------------------------------------------------------


def check_tools(with_uvicorn: bool) -> None:
    if shutil.which("wrk") is None:
        raise BenchError("wrk is not installed; install it with: apt-get install wrk")
    needed = ["gunicorn"] + (["uvicorn"] if with_uvicorn else [])
    for tool in needed:
        if not (BIN / tool).exists():
            raise BenchError(f"{BIN / tool} is missing; run `make setup` (or pip install -e .) first.")


def libpq_url(url: str, database: str | None = None) -> str:
    """The URL as libpq wants it (postgresql://), optionally naming another database."""
    parts = urlsplit(url)
    path = f"/{database}" if database else parts.path
    return urlunsplit(("postgresql", parts.netloc, path, parts.query, ""))


def ensure_database(url: str) -> None:
    """Check that PostgreSQL answers; create the database when it does not exist yet."""
    import psycopg

    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise BenchError(f"DATABASE_URL must be a postgres:// URL for this benchmark, not {parts.scheme}://.")
    name = parts.path.lstrip("/")
    where = f"{parts.hostname or 'localhost'}:{parts.port or 5432}"
    if not name:
        raise BenchError("DATABASE_URL names no database; e.g. postgres://root@127.0.0.1:5432/suara_bench.")
    try:
        psycopg.connect(libpq_url(url), connect_timeout=3).close()
        return
    except psycopg.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise BenchError(f"PostgreSQL is not reachable at {where} (DATABASE_URL): {first_line(exc)}") from None
    try:
        with psycopg.connect(libpq_url(url, "postgres"), connect_timeout=3, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        raise BenchError(f"Could not create database {name!r} on PostgreSQL at {where}: {first_line(exc)}") from None
    say(f"Created database {name} on {where}.")


def check_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except (redis.RedisError, OSError, ValueError) as exc:
        parts = urlsplit(url)
        where = f"{parts.hostname or 'localhost'}:{parts.port or 6379}"
        raise BenchError(f"Redis is not reachable at {where} (REDIS_URL): {first_line(exc)}") from None


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# What else used the CPU while a server was loaded: a test suite running beside
# the bench takes cores from every row and makes the figures meaningless.
SERVICES = ("postgres", "redis-server")  # part of the stack being measured
FOREIGN_CPU_WARNING = 0.10  # of all cores


def busy_seconds() -> float:
    """CPU time spent in user, system and steal on all cores since boot (Linux)."""
    with open("/proc/stat") as stat:
        user, nice, system, _idle, _iowait, _irq, _softirq, steal = map(int, stat.readline().split()[1:9])
    # Interrupt time is left out: loopback traffic lands there, and no process owns it.
    return (user + nice + system + steal) / os.sysconf("SC_CLK_TCK")


def process_cpu() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, command name, CPU seconds so far) for every process."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                text = stat.read()
        except OSError:
            continue  # it ended meanwhile
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        table[int(entry)] = (int(fields[1]), name, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
    return table


def descendants(table: dict[int, tuple[int, str, float]], root: int) -> set[int]:
    found, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, (ppid, _, _) in table.items() if ppid == parent and pid not in found]
        found.update(children)
        frontier.extend(children)
    return found


class CpuWatch:
    """Share of all cores used by processes other than the server, wrk, PostgreSQL and Redis."""

    def __init__(self, server_pid: int):
        self.server_pid = server_pid
        self.foreign: float | None = None

    def __enter__(self):
        try:
            self.busy, self.table = busy_seconds(), process_cpu()
        except (OSError, ValueError):
            self.table = None  # not Linux: no figure
        self.children = os.times()
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc_info):
        if self.table is None:
            return
        try:
            busy, table = busy_seconds(), process_cpu()
        except (OSError, ValueError):
            return
        ours = descendants(table, self.server_pid) | {os.getpid()}
        ours |= {pid for pid, (_, name, _) in table.items() if name.startswith(SERVICES)}
        measured = sum(table[pid][2] - self.table.get(pid, (0, "", 0.0))[2] for pid in ours if pid in table)
        children = os.times()  # wrk, which has ended and been waited for
        measured += (children.children_user - self.children.children_user) + (
            children.children_system - self.children.children_system
        )
        capacity = (time.monotonic() - self.started) * (os.cpu_count() or 1)
        self.foreign = max(0.0, busy - self.busy - measured) / capacity


def describe_machine() -> str:
    from importlib.metadata import PackageNotFoundError, version

    def ver(package: str) -> str:
        try:
            return version(package)
        except PackageNotFoundError:
            return "?"

    return (
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, Django {ver('django')}, "
        f"Wagtail {ver('wagtail')}, gunicorn {ver('gunicorn')}, uvicorn {ver('uvicorn')}"
    )


# --- The environments -------------------------------------------------------


def bench_data_key(database_url: str) -> str:
    """The personal-data key production insists on: one per bench database, so that what an
    earlier run sealed there stays readable. A benchmark's data is synthetic; no secret."""
    digest = hashlib.sha256(f"suara-bench-data-key|{database_url}".encode()).digest()
    return "bench:" + base64.b64encode(digest).decode()


def portal_env(database_url: str, redis_url: str, var_dir: Path) -> dict[str, str]:
    """The production sketch's settings, with plain HTTP on loopback."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DJANGO_ENV="production",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(48),  # 64 characters
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        EMAIL_URL="locmem://",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SUARA_DATA_KEYS=bench_data_key(database_url),
        SUARA_VAR_DIR=str(var_dir),  # STATIC_ROOT is var_dir/static
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def bare_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(DJANGO_SETTINGS_MODULE="bench.bare.settings", PYTHONUNBUFFERED="1")
    return env


def run_step(title: str, command: list[str], env: dict[str, str], log: Path) -> None:
    started = time.monotonic()
    with log.open("w") as out:
        result = subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        raise BenchError(f"{title} failed (exit {result.returncode}):\n{tail(log)}")
    say(f"  {title}: {time.monotonic() - started:.1f}s")


def prepare_portal(env: dict[str, str], logs: Path) -> None:
    """Migrate, collect static files, load the demo data."""
    manage = [str(BIN / "python"), "manage.py"]
    # With the system checks, as the production sketch runs it: a failing
    # check stops the bench the way it would stop a deploy.
    run_step("migrate", manage + ["migrate", "--noinput", "-v", "0"], env, logs / "migrate.log")
    # Hashed names plus .gz and .br copies: CPU-bound, about 15 seconds.
    run_step("collectstatic", manage + ["collectstatic", "--noinput", "-v", "0"], env, logs / "collectstatic.log")
    # seed_demo refuses production; same database, development settings.
    seed = manage + ["seed_demo", "--quiet-accounts"]
    run_step("seed_demo", seed, dict(env, DJANGO_ENV="development"), logs / "seed_demo.log")


# --- Servers ----------------------------------------------------------------


# The home page in the default language; "/" sends each reader to their own language's.
HOME_PATH = "/en/"


def manage_shell(env: dict[str, str], code: str) -> str:
    """Run ``code`` in ``manage.py shell`` in a child process with ``env``; the last line it printed."""
    result = subprocess.run(
        [str(BIN / "python"), "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"manage.py shell failed:\n{result.stderr[-3000:]}")
    return result.stdout.strip().splitlines()[-1]


def gunicorn_command(workers: int, bind: str = f"{HOST}:{{port}}", *, access_log: bool = False) -> list[str]:
    """The production sketch's web server: gunicorn sync workers (``{port}`` is filled in by Server)."""
    logging = ["--access-logfile", "-"] if access_log else []
    return [
        str(BIN / "gunicorn"),
        "portal.wsgi:application",
        "-w",
        str(workers),
        "-b",
        bind,
        "--worker-class",
        "sync",
        *logging,
        "--log-level",
        "warning",
    ]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    port: int = 0
    process: subprocess.Popen | None = None
    # The page it serves: the portal's home is at its language's address (/ redirects there).
    path: str = "/"

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    @property
    def page_url(self) -> str:
        return f"http://{HOST}:{self.port}{self.path}"

    def start(self) -> None:
        self.port = free_port()
        command = [part.replace("{port}", str(self.port)) for part in self.command]
        with self.log.open("w") as out:
            # Its own session, so that stop() can reach the workers too.
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_ready(self) -> None:
        """Until its page answers 200; fail early if the server exits."""
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"{self.name} exited with status {self.process.returncode}:\n{tail(self.log)}")
            try:
                status = fetch(self.port, self.path).status
            except (OSError, ValueError, IndexError):  # not listening yet, or closed mid-start
                time.sleep(0.2)
                continue
            if status == 200:
                return
            raise BenchError(f"{self.name} answered {self.path} with HTTP {status}:\n{tail(self.log)}")
        raise BenchError(f"{self.name} did not answer on port {self.port} within {READY_TIMEOUT}s:\n{tail(self.log)}")

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)  # gunicorn and uvicorn: graceful stop
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)  # the group this script started
            except ProcessLookupError:
                pass
            process.wait(timeout=5)


def tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join("    " + line for line in text[-lines:]) or "    (empty log)"


# --- HTTP, counting the bytes on the wire ------------------------------------


@dataclass
class Fetched:
    status: int
    headers: dict[str, str]
    wire_bytes: int  # status line, headers and body, as received
    body: bytes  # decoded


def fetch(port: int, path: str, accept_encoding: str | None = None) -> Fetched:
    """One GET over a fresh connection, read to the end; no cookies, like wrk and a first visit."""
    request = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nUser-Agent: suara-bench\r\nAccept: */*\r\n"
    if accept_encoding:
        request += f"Accept-Encoding: {accept_encoding}\r\n"
    request += "Connection: close\r\n\r\n"
    chunks = []
    with socket.create_connection((HOST, port), timeout=10) as conn:
        conn.sendall(request.encode("ascii"))
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    raw = b"".join(chunks)
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = unchunk(body)
    return Fetched(status, headers, len(raw), decode(body, headers.get("content-encoding", "")))


def unchunk(data: bytes) -> bytes:
    out = bytearray()
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += data[:size]
        data = data[size + 2 :]
    return bytes(out)


def decode(body: bytes, encoding: str) -> bytes:
    encoding = encoding.lower()
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    if encoding == "br":
        import brotli

        return brotli.decompress(body)
    return body


class AssetParser(HTMLParser):
    """Stylesheets, scripts and other things the page makes the browser fetch."""

    def __init__(self):
        super().__init__()
        self.css: list[str] = []
        self.js: list[str] = []
        self.other: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        rel = (attrs.get("rel") or "").lower().split()
        if tag == "link" and attrs.get("href"):
            if "stylesheet" in rel:
                self.css.append(attrs["href"])
            elif "modulepreload" in rel:
                self.js.append(attrs["href"])
            elif "icon" in rel or "preload" in rel:
                self.other.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.js.append(attrs["src"])
        elif tag in ("img", "source", "video", "audio") and attrs.get("src"):
            self.other.append(attrs["src"])


CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*["']?([^"')\s;]+)""")


@dataclass
class PageWeight:
    html_bytes: int = 0  # decoded HTML
    rows: list[tuple[str, str, int, str]] = field(default_factory=list)  # kind, path, wire bytes, encoding

    def total(self, kinds=("html", "css", "js")) -> int:
        return sum(size for kind, _, size, _ in self.rows if kind in kinds)


def weigh_page(port: int, path: str = "/", accept_encoding: str = "gzip") -> PageWeight:
    weight = PageWeight()
    page = fetch(port, path, accept_encoding)
    if page.status != 200:
        raise BenchError(f"GET {path} answered HTTP {page.status} while weighing the page.")
    weight.html_bytes = len(page.body)
    weight.rows.append(("html", path, page.wire_bytes, page.headers.get("content-encoding", "none")))
    parser = AssetParser()
    parser.feed(page.body.decode("utf-8", "replace"))
    queue = [("css", href) for href in parser.css] + [("js", src) for src in parser.js]
    queue += [("other", src) for src in dict.fromkeys(parser.other)]
    seen: set[str] = set()
    while queue:
        kind, ref = queue.pop(0)
        absolute = urljoin(f"http://{HOST}:{port}{path}", ref)
        parts = urlsplit(absolute)
        if parts.hostname not in (HOST, "localhost") or absolute in seen:
            continue  # the CSP allows only 'self'; anything else would not load
        seen.add(absolute)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        asset = fetch(port, target, accept_encoding)
        if asset.status != 200:
            raise BenchError(f"The home page refers to {target}, which answers HTTP {asset.status}.")
        weight.rows.append((kind, target, asset.wire_bytes, asset.headers.get("content-encoding", "none")))
        if kind == "css":
            for imported in CSS_IMPORT.findall(asset.body.decode("utf-8", "replace")):
                queue.append(("css", urljoin(absolute, imported)))
    return weight


# --- Queries, counted in a child process with the production settings ----------


def count_queries_in_child(env: dict[str, str]) -> dict:
    """Run this file with --count-queries in the production environment; read its JSON answer."""
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--count-queries"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode != 0:
        raise BenchError(f"Counting the home page's queries failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def count_queries_here() -> None:
    """The child: GET / with Django's test client, warm the cache, then count one request."""
    import django

    django.setup()
    from django.core.cache import caches
    from django.db import close_old_connections, connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # Count cache calls and connection health checks too: both are round trips.
    calls = {"cache": {}, "health_checks": 0}
    cache_class = type(caches["default"])
    for name in ("get", "get_many", "set", "set_many", "add", "delete", "delete_many", "has_key", "incr", "touch"):
        original = getattr(cache_class, name)

        def counted(self, *args, _original=original, _name=name, **kwargs):
            calls["cache"][_name] = calls["cache"].get(_name, 0) + 1
            return _original(self, *args, **kwargs)

        setattr(cache_class, name, counted)
    wrapper_class = type(connections["default"])
    original_is_usable = wrapper_class.is_usable

    def is_usable(self):
        calls["health_checks"] += 1
        return original_is_usable(self)

    wrapper_class.is_usable = is_usable

    for _ in range(3):  # warm the cache, the connection and the template loaders
        Client(HTTP_HOST=HOST).get(HOME_PATH)
    calls["cache"].clear()
    calls["health_checks"] = 0
    # The test client leaves out what a server does when a request starts:
    # close_old_connections(), which arms CONN_HEALTH_CHECKS' "SELECT 1".
    close_old_connections()
    with CaptureQueriesContext(connection) as captured:
        response = Client(HTTP_HOST=HOST).get(HOME_PATH)
    print(
        json.dumps(
            {
                "status": response.status_code,
                "queries": len(captured.captured_queries),
                "sql": [query["sql"] for query in captured.captured_queries],
                "cache_calls": calls["cache"],
                "health_checks": calls["health_checks"],
            }
        )
    )


# --- Load -------------------------------------------------------------------


@dataclass
class Load:
    rps: float
    p99_ms: float
    p50_ms: float
    requests: int
    errors: str  # empty when there were none
    foreign_cpu: float | None = None  # share of the cores other processes used meanwhile


UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(output: str) -> Load:
    def latency(percent: str) -> float:
        match = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
        if not match:
            raise BenchError(f"Could not read the {percent}% latency from wrk's output:\n{output}")
        return float(match.group(1)) * UNIT_MS[match.group(2)]

    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    total = re.search(r"^\s*(\d+) requests in", output, re.MULTILINE)
    if not rps or not total:
        raise BenchError(f"Could not read requests/s from wrk's output:\n{output}")
    errors = []
    if match := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        errors.append(f"{match.group(1)} non-2xx/3xx responses")
    if match := re.search(r"Socket errors: (.*)", output):
        errors.append(f"socket errors: {match.group(1)}")
    return Load(float(rps.group(1)), latency("99"), latency("50"), int(total.group(1)), "; ".join(errors))


def run_wrk(url: str, threads: int, connections: int, seconds: int) -> str:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
    if result.returncode != 0:
        raise BenchError(f"wrk failed: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


def load(server: Server, args) -> Load:
    run_wrk(server.page_url, args.threads, args.connections, WARMUP_SECONDS)
    with CpuWatch(server.process.pid) as watch:
        output = run_wrk(server.page_url, args.threads, args.connections, args.duration)
    measured = parse_wrk(output)
    measured.foreign_cpu = watch.foreign
    if measured.errors:
        raise BenchError(f"{server.name} did not answer cleanly under load ({measured.errors}):\n{tail(server.log)}")
    other = "" if watch.foreign is None else f"   other processes: {watch.foreign:.0%} CPU"
    say(
        f"  {server.name:<34} {measured.rps:8.1f} req/s   p50 {measured.p50_ms:6.1f} ms   "
        f"p99 {measured.p99_ms:6.1f} ms   ({measured.requests} requests){other}"
    )
    return measured


# --- Main -------------------------------------------------------------------


# The portal keeps public pages for anonymous visitors (portal/pagecache.py);
# this switches the store off, so that every request is built.
NO_PAGE_CACHE_ENV = {"SUARA_PAGE_CACHE_SECONDS": "0"}
NO_PAGE_CACHE = "SUARA_PAGE_CACHE_SECONDS=0"


def report_queries(counted: dict, show_sql: bool = True) -> None:
    if counted["status"] != 200:
        raise BenchError(f"The test client got HTTP {counted['status']} for the home page.")
    if show_sql:
        for sql in counted["sql"]:
            say(f"  {sql[:110]}{'…' if len(sql) > 110 else ''}")
    cache_calls = ", ".join(f"{name} {n}" for name, n in sorted(counted["cache_calls"].items())) or "none"
    say(f"  {counted['queries']} queries, cache calls: {cache_calls}, health checks: {counted['health_checks']}")


def goal_line(name: str, ok: bool, detail: str) -> str:
    return f"goal {name}: {'PASS' if ok else 'FAIL'} ({detail})"


def main() -> int:
    parser = argparse.ArgumentParser(description="Load the home page and a bare Django page; print the figures.")
    parser.add_argument("--duration", type=int, default=10, help="seconds of measured load per server (default 10)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--no-uvicorn", action="store_true", help="skip the uvicorn comparison")
    parser.add_argument(
        "--uncached", action="store_true", help=f"also load the home page with {NO_PAGE_CACHE} (every request built)"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs and static files")
    parser.add_argument("--count-queries", action="store_true", help=argparse.SUPPRESS)  # the child's mode
    args = parser.parse_args()
    import_from_project_root()
    if args.count_queries:
        count_queries_here()
        return 0

    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="suara-bench-"))
    servers: list[Server] = []
    try:
        check_tools(with_uvicorn=not args.no_uvicorn)
        ensure_database(database_url)
        check_redis(redis_url)
        env = portal_env(database_url, redis_url, work / "var")

        say(f"Machine: {describe_machine()}")
        say(f"Preparing the portal (DJANGO_ENV=production, {urlsplit(database_url).path.lstrip('/')}, Redis)")
        prepare_portal(env, work)

        # --no-control-socket: two gunicorns would otherwise fight over
        # ~/.gunicorn/gunicorn.ctl (and over one someone else may be using).
        gunicorn = [str(BIN / "gunicorn"), "-w", "2", "-b", f"{HOST}:{{port}}", "--no-control-socket"]
        home = Server(
            "home, gunicorn -w 2", gunicorn + ["portal.wsgi:application"], env, work / "home.log", path=HOME_PATH
        )
        bare = Server(
            "bare Django, gunicorn -w 2", gunicorn + ["bench.bare.wsgi:application"], bare_env(), work / "bare.log"
        )
        servers += [home, bare]
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()

        say("Weighing the home page (Accept-Encoding: gzip)")
        weight = weigh_page(home.port, HOME_PATH)
        for kind, path, size, encoding in weight.rows:
            say(f"  {kind:<5} {path:<45} {size:>7} B  content-encoding: {encoding}")
        bare_html = len(fetch(bare.port, "/").body)
        say(f"  HTML size: home {weight.html_bytes} B, bare {bare_html} B (uncompressed)")
        home_kb = weight.total() / 1000
        brotli_kb = weigh_page(home.port, HOME_PATH, accept_encoding="br, gzip").total() / 1000

        say("Counting the home page's queries (warm cache, production settings)")
        counted = count_queries_in_child(env)
        report_queries(counted)
        # The same request built every time: what a signed-in visitor, or a
        # miss of the portal's store of public pages, costs.
        say(f"  and with {NO_PAGE_CACHE}:")
        built = count_queries_in_child(dict(env, **NO_PAGE_CACHE_ENV))
        report_queries(built, show_sql=built["sql"] != counted["sql"])

        say(
            f"Loading with wrk -t{args.threads} -c{args.connections} -d{args.duration}s (after {WARMUP_SECONDS}s warm-up)"
        )
        home_load = load(home, args)
        bare_load = load(bare, args)
        for server in (home, bare):
            server.stop()  # leave the cores to the next one
        if args.uncached:
            uncached = Server(
                f"home, {NO_PAGE_CACHE}", home.command, dict(env, **NO_PAGE_CACHE_ENV), work / "built.log"
            )
            servers.append(uncached)
            uncached.start()
            uncached.wait_ready()
            load(uncached, args)
            uncached.stop()
        if not args.no_uvicorn:
            uvicorn = [str(BIN / "uvicorn"), "portal.asgi:application", "--workers", "2", "--host", HOST]
            uvicorn += ["--port", "{port}", "--no-access-log", "--lifespan", "off"]
            asgi = Server("home, uvicorn --workers 2", uvicorn, env, work / "uvicorn.log")
            servers.append(asgi)
            asgi.start()
            asgi.wait_ready()
            asgi_load = load(asgi, args)
            say(f"  uvicorn serves the home page at {asgi_load.rps / home_load.rps:.2f}x gunicorn's rate")

        disturbed = [run.foreign_cpu for run in (home_load, bare_load) if run.foreign_cpu is not None]
        if disturbed and max(disturbed) > FOREIGN_CPU_WARNING:
            say(
                f"warning: other processes used up to {max(disturbed):.0%} of the CPU during the load; "
                "the figures are low and the ratio unreliable. Run it on a quiet machine."
            )
        ratio = home_load.rps / bare_load.rps
        queries = counted["queries"]
        say(f"Home page as transferred: {home_kb:.1f} KB with gzip ({brotli_kb:.1f} KB with brotli)")
        say(f"Done in {time.monotonic() - started:.0f}s")
        results = [
            (ratio >= RATIO_GOAL, goal_line(f"ratio >= {RATIO_GOAL}", ratio >= RATIO_GOAL, f"{ratio:.2f}")),
            (queries <= QUERIES_GOAL, goal_line(f"queries <= {QUERIES_GOAL}", queries <= QUERIES_GOAL, str(queries))),
            (home_kb < KB_GOAL, goal_line(f"home_kb < {KB_GOAL}", home_kb < KB_GOAL, f"{home_kb:.1f} KB")),
        ]
        for _, line in results:
            say(line)
        say(
            f"pages: home_rps={home_load.rps:.1f} bare_rps={bare_load.rps:.1f} ratio={ratio:.2f} "
            f"home_p99_ms={home_load.p99_ms:.1f} home_queries={queries} home_kb={home_kb:.1f}"
        )
        return 1 if args.strict and not all(ok for ok, _ in results) else 0
    except BenchError as exc:
        print(f"bench/pages.py: {exc}", file=sys.stderr)
        return 2
    finally:
        for server in servers:
            server.stop()
        if args.keep_logs:
            print(f"Logs and static files kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
