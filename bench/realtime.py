"""How fast and how far do live updates go? Two ASGI processes sharing Redis, thousands of sockets.

What it does, all by itself: creates (when missing) and migrates its own
database (``DATABASE_URL``, default
``postgres://root@127.0.0.1:5432/suara_realtime_bench``), starts two uvicorn
processes serving ``portal.asgi`` with the options ``run_portal`` uses
(``REDIS_URL``, default ``redis://127.0.0.1:6379/5``, as the channel layer),
opens websockets to both from this process, triggers changes through the
service layer (in this process, as a request or the task worker would), and
stops the servers at the end.

Figures:

* ``connections``: idle sockets held open (``--connections``, split across
  the two processes; each is a signed-in person's own stream, ``/ws/my/``);
* ``subscribers``: sockets on one agency queue (``--subscribers``); they are
  opened all at once, and the script checks that they connect within 10 s
  with no failed group join, and later that none of the leaves failed;
* ``fanout_p50_ms``/``fanout_p95_ms``: from the commit of a change to a case
  of that agency until each subscriber received the rendered queue row (every
  receipt is a sample); a second agency with ``--small-subscribers`` (100)
  is measured the same way and printed on its own line;
* ``single_p95_ms``: from the commit of a note until one staff case page's
  socket received it (the case stream re-checks the read gate each time);
* ``rss_mb_per_1k_conn``: resident memory each server process grew by per
  1,000 idle sockets (the worse of the two);
* ``lost``: deliveries that never arrived (each event is waited for 5 s).

    .venv/bin/python bench/realtime.py                                 # 5,000 idle, 1,000 subscribers
    .venv/bin/python bench/realtime.py --connections 500 --subscribers 200 --events 10   # quick

Last line::

    realtime: connections=C subscribers=S fanout_p50_ms=A fanout_p95_ms=B single_p95_ms=D rss_mb_per_1k_conn=M lost=L
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py shares its name with the standard library's ``queue``: run
# as a script, this folder would come first on sys.path and shadow it.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
sys.modules.pop("queue", None)

import argparse  # noqa: E402
import asyncio  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402

ROOT = _HERE.parent
sys.path.insert(0, str(ROOT))

from bench.casedata import ensure_database  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/suara_realtime_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"
PREFIX = "bench-rt"
GOALS = {"fanout_1000_p95_ms": 500, "fanout_100_p95_ms": 60, "single_p95_ms": 50, "rss_mb_per_1k_conn": 150}
WAIT_PER_EVENT_SECONDS = 5.0
BURST_SECONDS = 10.0
VERBOSE = "--verbose" in sys.argv


def percentile(samples: list[float], fraction: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def raise_file_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(needed, soft)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    if target < needed:
        raise SystemExit(f"open-file limit {target} is below the {needed} this run needs; lower --connections")


def setup_django(database_url: str, redis_url: str, var_dir: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = redis_url
    os.environ["DEBUG"] = "false"
    os.environ["SUARA_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


# --- data -------------------------------------------------------------------------------


def prepare(officers_per_agency: int) -> dict:
    """Three agencies (big queue, small queue, single case), officers with sessions, one case each."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from grievances import services
    from grievances.models import Category, Grievance, SLAPolicy
    from portal.models import Membership, Organization, User

    call_command("migrate", interactive=False, verbosity=0)
    policy, _ = SLAPolicy.objects.get_or_create(name="Bench realtime")
    result = {}
    for name in ("big", "small", "single"):
        agency, _ = Organization.objects.get_or_create(
            slug=f"{PREFIX}-{name}", defaults={"name": f"Bench {name} agency", "kind": Organization.Kind.GOVERNMENT}
        )
        theme, _ = Category.objects.get_or_create(
            name=f"Bench {name}", parent=None, defaults={"agency": agency, "sla_policy": policy}
        )
        category, _ = Category.objects.get_or_create(name="Payment", parent=theme)
        sessions = []
        for index in range(officers_per_agency):
            # A demo-domain address: development lets demo staff skip the second factor.
            user, created = User.objects.get_or_create(
                email=f"{PREFIX}-{name}-{index}@demo.suara.test", defaults={"display_name": f"Officer {index}"}
            )
            if created:
                user.set_unusable_password()
                user.save()
            Membership.objects.get_or_create(
                user=user, organization=agency, defaults={"role": Membership.Role.CASE_OFFICER}
            )
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            sessions.append(session.session_key)
        case = (
            Grievance.objects.filter(agency=agency, description="Bench realtime case").first()
            or services.grievance_lodge(
                category=category,
                description="Bench realtime case",
                contact_preference=Grievance.Contact.NONE,
                anonymous=True,
            ).grievance
        )
        result[name] = {"agency": agency.slug, "agency_id": agency.pk, "case": case.pk, "sessions": sessions}
        result[name]["reference"] = case.reference
        result[name]["officer"] = User.objects.get(email=f"{PREFIX}-{name}-0@demo.suara.test").pk
    return result


def add_note(case_id: int, officer_id: int, stamps: dict) -> int:
    """A note through the service; ``stamps[event id]`` = the moment the transaction committed."""
    from django.db import transaction

    from grievances import services
    from grievances.models import Grievance
    from portal.models import User

    officer = User.objects.get(pk=officer_id)
    grievance = Grievance.objects.select_related("category__parent").get(pk=case_id)
    committed = {}
    with transaction.atomic():
        # Registered first, so it runs first after the commit: before the payload is rendered and sent.
        transaction.on_commit(lambda: committed.setdefault("at", time.perf_counter()))
        event = services.grievance_add_note(
            grievance=grievance, user=officer, body="Bench note", version=grievance.version
        )
    stamps[event.pk] = committed["at"]
    return event.pk


# --- servers ------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class AsgiProcess:
    """One uvicorn process serving ``portal.asgi`` as ``run_portal`` starts it."""

    def __init__(self, env: dict, log_path: Path):
        from portal.management.commands.run_portal import uvicorn_command

        self.port = free_port()
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(
            uvicorn_command("127.0.0.1", self.port, "--backlog", "4096"),
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"uvicorn stopped; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2):
                    return
            except urllib.error.HTTPError:
                # It answers. (503 here means a piece the bench does not run, such as a
                # task worker for the acknowledgements its cases enqueue.)
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("uvicorn did not answer /healthz")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def errors(self) -> list[str]:
        text = self.log_path.read_text(errors="replace")
        return [line for line in text.splitlines() if "Error" in line or "Could not leave" in line]


# --- clients --------------------------------------------------------------------------------


class Sockets:
    """Many websocket clients in this process's event loop, recording when each message arrived."""

    def __init__(self):
        self.open: list = []
        self.readers: list[asyncio.Task] = []
        self.failures = 0
        self.received: dict[tuple[str, int], list[float]] = {}

    async def connect(self, server: AsgiProcess, path: str, session: str, tag: str | None) -> bool:
        from websockets.asyncio.client import connect

        try:
            socket = await connect(
                f"ws://127.0.0.1:{server.port}{path}",
                additional_headers={"Cookie": f"sessionid={session}", "Origin": f"http://127.0.0.1:{server.port}"},
                compression=None,
                open_timeout=30,
                max_size=2**20,
            )
        except Exception:
            self.failures += 1
            return False
        self.open.append(socket)
        self.readers.append(asyncio.create_task(self._read(socket, tag)))
        return True

    async def _read(self, socket, tag: str | None) -> None:
        try:
            async for raw in socket:
                if tag is None:
                    continue
                arrived = time.perf_counter()
                message = json.loads(raw)
                if message.get("type") in ("row", "event"):
                    self.received.setdefault((tag, message["id"]), []).append(arrived)
        except Exception:
            return

    async def close_all(self) -> None:
        await asyncio.gather(*(socket.close() for socket in self.open), return_exceptions=True)
        for reader in self.readers:
            reader.cancel()
        self.open, self.readers = [], []


async def open_many(sockets: Sockets, servers, path: str, sessions: list[str], count: int, tag, batch: int) -> float:
    started = time.perf_counter()
    jobs = []
    for index in range(count):
        jobs.append(sockets.connect(servers[index % 2], path, sessions[index % len(sessions)], tag))
        if len(jobs) == batch:
            await asyncio.gather(*jobs)
            jobs = []
    if jobs:
        await asyncio.gather(*jobs)
    return time.perf_counter() - started


async def measure(sockets: Sockets, tag: str, data: dict, expected: int, events: int, stamps: dict) -> tuple:
    samples, lost = [], 0
    for _ in range(events):
        event_id = await asyncio.to_thread(add_note, data["case"], data["officer"], stamps)
        deadline = time.monotonic() + WAIT_PER_EVENT_SECONDS
        while len(sockets.received.get((tag, event_id), [])) < expected and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        arrivals = sockets.received.get((tag, event_id), [])
        lost += max(0, expected - len(arrivals))
        latencies = [(arrived - stamps[event_id]) * 1000 for arrived in arrivals]
        samples.extend(latencies)
        if VERBOSE and latencies:
            print(
                f"  {tag} event {event_id}: first {min(latencies):.0f} ms, median {percentile(latencies, 0.5):.0f} ms, last {max(latencies):.0f} ms"
            )
        await asyncio.sleep(0.1)
    return samples, lost


async def run(args, data: dict, servers: list[AsgiProcess]) -> dict:
    sockets = Sockets()
    figures = {}
    stamps: dict[int, float] = {}
    big, small, single = data["big"], data["small"], data["single"]

    baseline = [server.rss_mb() for server in servers]
    took = await open_many(sockets, servers, "/ws/my/", big["sessions"], args.connections, None, batch=250)
    await asyncio.sleep(2)
    grown = [server.rss_mb() - before for server, before in zip(servers, baseline, strict=True)]
    per_process = args.connections / len(servers) / 1000
    figures["rss_mb_per_1k_conn"] = max(grown) / per_process if per_process else float("nan")
    print(f"idle: {args.connections} sockets in {took:.1f} s; RSS grew {', '.join(f'{g:.0f}' for g in grown)} MB")
    idle_failures = sockets.failures

    sockets.failures = 0
    burst = await open_many(
        sockets, servers, f"/ws/workspace/queue/{big['agency']}/", big["sessions"], args.subscribers, "big", batch=10**6
    )
    burst_failures = sockets.failures
    print(f"burst: {args.subscribers} queue subscribers connected in {burst:.2f} s, {burst_failures} failed")
    await open_many(
        sockets,
        servers,
        f"/ws/workspace/queue/{small['agency']}/",
        small["sessions"],
        args.small_subscribers,
        "small",
        100,
    )
    await open_many(
        sockets, servers[:1], f"/ws/workspace/cases/{single['reference']}/", single["sessions"], 1, "one", 1
    )
    await asyncio.sleep(1)

    # The measuring client holds thousands of sockets: its own garbage
    # collections (hundreds of ms over that many objects) would be counted
    # as delivery time. The servers keep theirs.
    gc.collect()
    gc.freeze()
    gc.disable()
    # Warm up every path once (templates, plans, pub/sub subscriptions).
    await measure(sockets, "big", big, args.subscribers, 1, stamps)
    await measure(sockets, "small", small, args.small_subscribers, 1, stamps)
    await measure(sockets, "one", single, 1, 1, stamps)

    big_samples, big_lost = await measure(sockets, "big", big, args.subscribers, args.events, stamps)
    small_samples, small_lost = await measure(sockets, "small", small, args.small_subscribers, args.events, stamps)
    single_samples, single_lost = await measure(sockets, "one", single, 1, args.events * 2, stamps)
    await sockets.close_all()
    await asyncio.sleep(3)  # the leaves reach Redis

    figures |= {
        "fanout_p50_ms": percentile(big_samples, 0.5),
        "fanout_p95_ms": percentile(big_samples, 0.95),
        "small_p50_ms": percentile(small_samples, 0.5),
        "small_p95_ms": percentile(small_samples, 0.95),
        "single_p50_ms": percentile(single_samples, 0.5),
        "single_p95_ms": percentile(single_samples, 0.95),
        "lost": big_lost + small_lost + single_lost,
        "burst_seconds": burst,
        "burst_failures": burst_failures,
        "idle_failures": idle_failures,
    }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=5000, help="idle sockets (default 5,000)")
    parser.add_argument("--subscribers", type=int, default=1000, help="sockets on one agency queue (default 1,000)")
    parser.add_argument("--small-subscribers", type=int, default=100, help="sockets on a second queue (default 100)")
    parser.add_argument("--events", type=int, default=30, help="events measured per figure (default 30)")
    parser.add_argument("--verbose", action="store_true", help="print each event's first, median and last receipt")
    args = parser.parse_args()
    # A plain kill stops the servers too (the finally below runs).
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))

    total = args.connections + args.subscribers + args.small_subscribers + 1
    raise_file_limit(2 * total + 1000)  # this process's clients, plus the servers' ends (they inherit it)
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    if database_url.startswith("postgres"):
        ensure_database(database_url)
    var_dir = str(ROOT / "var" / "bench-realtime")
    setup_django(database_url, redis_url, var_dir)
    data = prepare(officers_per_agency=10)
    from django.conf import settings
    from django.db import connections

    connections.close_all()

    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    env |= {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "SECRET_KEY": settings.SECRET_KEY}
    env |= {"SUARA_VAR_DIR": var_dir, "DEBUG": "false", "LOG_LEVEL": "WARNING"}
    # Thousands of sockets from one address and ten sessions, on purpose.
    env |= {"SUARA_WS_MAX_PER_SESSION": "1000000", "SUARA_WS_MAX_PER_ADDRESS": "1000000"}
    log_dir = Path(tempfile.mkdtemp(prefix="suara-bench-realtime-"))
    servers = [AsgiProcess(env, log_dir / f"asgi-{number}.log") for number in (1, 2)]
    try:
        for server in servers:
            server.wait()
        figures = asyncio.run(run(args, data, servers))
    finally:
        for server in servers:
            server.stop()
    errors = [line for server in servers for line in server.errors()]
    print(
        f"fanout to {args.small_subscribers}: p50 {figures['small_p50_ms']:.1f} ms, p95 {figures['small_p95_ms']:.1f} ms"
        f" (goal p95 < {GOALS['fanout_100_p95_ms']} ms)"
    )
    print(
        f"fanout to {args.subscribers}: p50 {figures['fanout_p50_ms']:.1f} ms, p95 {figures['fanout_p95_ms']:.1f} ms"
        f" (goal p95 < {GOALS['fanout_1000_p95_ms']} ms)"
    )
    print(f"single case page: p50 {figures['single_p50_ms']:.1f} ms, p95 {figures['single_p95_ms']:.1f} ms")
    print(
        f"burst: {args.subscribers} in {figures['burst_seconds']:.2f} s (goal < {BURST_SECONDS:.0f} s),"
        f" failed connects {figures['burst_failures'] + figures['idle_failures']},"
        f" server errors (failed joins/leaves) {len(errors)}; logs in {log_dir}"
    )
    for line in errors[:5]:
        print("  " + line)
    print(
        f"realtime: connections={args.connections} subscribers={args.subscribers}"
        f" fanout_p50_ms={figures['fanout_p50_ms']:.1f} fanout_p95_ms={figures['fanout_p95_ms']:.1f}"
        f" single_p95_ms={figures['single_p95_ms']:.1f} rss_mb_per_1k_conn={figures['rss_mb_per_1k_conn']:.1f}"
        f" lost={figures['lost']}"
    )


if __name__ == "__main__":
    main()
