"""How fast are the monitoring dashboard and the public statistics with a million cases?

What it measures, over HTTP against a real server it starts and stops
itself (``gunicorn portal.wsgi:application -w 2`` on a free port of
127.0.0.1, with this script's ``DATABASE_URL`` and ``REDIS_URL``):

* ``dashboard_p95_ms``: one agency's monitoring dashboard
  (``/workspace/monitoring/agency/<agency>/``) for its default period, the
  twelve months up to today, signed in as the agency's supervisor: every
  indicator, the charts drawn, the tables;
* ``public_cold_ms``: ``/statistics/`` with no snapshot and an empty cache:
  the first visit computes the anonymised figures for every agency over
  twelve months, draws the charts in each language and stores them (what
  ``statistics_refresh`` does every ten minutes);
* ``public_cached_p95_ms``: ``/statistics/`` afterwards, as every other
  visitor gets it.

Data: the queue benchmark's cases (``bench/casedata.py``), ``--cases``
(default 1,000,000) across ``--agencies`` (default 20), in the database
named by ``DATABASE_URL`` (default
``postgres://root@127.0.0.1:5432/suara_queue_bench``, created when missing).
The loader gives decided cases their decision dates and outcomes,
acceptances, appeals, referrals, regions, channels and sex/gender; cases
loaded by an older loader lack them: ``--reload`` deletes and loads again
(a few minutes for 1M).

    .venv/bin/python bench/monitoring.py --cases 100000   # with DATABASE_URL=…/suara_monitoring_small
    .venv/bin/python bench/monitoring.py                   # the figures that count (1M)

The last line printed is the summary::

    monitoring: cases=N dashboard_p95_ms=A public_cold_ms=B public_cached_p95_ms=C
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and its queue.py
# would shadow the standard library's ``queue`` for every library importing it.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
sys.modules.pop("queue", None)

import argparse  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

ROOT = _HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.casedata import (  # noqa: E402
    BENCH_PREFIX,
    DEFAULT_DATABASE_URL,
    DEFAULT_REDIS_URL,
    ensure_database,
    load,
    setup_django,
)

HOST = "127.0.0.1"
GOALS = {"dashboard_p95_ms": 500, "public_cached_p95_ms": 20}
READY_TIMEOUT = 60


def p(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with two sync workers, in its own process group so that stopping reaches the workers."""

    def __init__(self, env: dict[str, str], log: Path):
        self.port = free_port()
        self.log = log
        with log.open("w") as out:
            self.process = subprocess.Popen(
                [
                    str(ROOT / ".venv" / "bin" / "gunicorn"),
                    "-w",
                    "2",
                    "-b",
                    f"{HOST}:{self.port}",
                    "--no-control-socket",
                    "--timeout",
                    "300",
                    "portal.wsgi:application",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def wait_ready(self, client) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited:\n{self.log.read_text()[-3000:]}")
            try:
                if client.get(self.base + "/healthz").status_code < 500:
                    return
            except Exception:
                time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer within {READY_TIMEOUT}s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


def timed(client, url: str, repeat: int, *, cookies=None) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, cookies=cookies)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}: {response.text[:500]}")
    return samples


def prepare_database() -> None:
    """The monitoring indexes (also on a database migrated before they existed), and a vacuum.

    The dashboard's covering indexes serve index-only scans once the
    visibility map is set; in production autovacuum keeps it so, here a bulk
    load just happened, so vacuum now rather than measure the heap.
    """
    from importlib import import_module

    from django.db import connection

    migration = import_module("grievances.migrations.0007_monitoring")
    started = time.monotonic()
    with connection.cursor() as cursor:
        for statement in migration.CREATE:
            cursor.execute(statement)
        for table in ("grievances_grievance", "grievances_caseevent", "grievances_referral"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    print(f"indexes and vacuum: {time.monotonic() - started:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--agencies", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=30, help="Timed requests per figure.")
    parser.add_argument("--reload", action="store_true", help="Delete the bench cases and load them again.")
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    if not database_url.startswith("postgres"):
        print("bench/monitoring.py measures PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    ensure_database(database_url)
    setup_django(database_url, redis_url)

    import logging

    import httpx

    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    from grievances.models import Grievance
    from grievances.monitoring.models import StatisticsSnapshot
    from portal.models import Membership, User

    call_command("migrate", interactive=False, verbosity=0)
    world = load(args.cases, args.agencies, args.reload)
    prepare_database()
    agency = world["agency"]
    if not Grievance.objects.filter(agency=agency, resolved_at__isnull=False).exists():
        print("these bench cases have no decisions (an older loader): run again with --reload", file=sys.stderr)
        return 2

    email = f"{BENCH_PREFIX}-supervisor@demo.suara.test"  # demo domain: no second factor in development
    supervisor = User.objects.filter(email=email).first() or User.objects.create_user(email, "bench-password-1")
    Membership.objects.get_or_create(user=supervisor, organization=agency, role=Membership.Role.SUPERVISOR)
    # A session in the database the server reads: the same sign-in the login form would make.
    signer = Client()
    signer.force_login(supervisor)
    cookies = {name: morsel.value for name, morsel in signer.cookies.items()}

    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_"))}
    env.update(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DEBUG": "false",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "SUARA_VAR_DIR": os.environ["SUARA_VAR_DIR"],
        }
    )
    log_dir = Path(os.environ["SUARA_VAR_DIR"])
    log_dir.mkdir(parents=True, exist_ok=True)
    server = Server(env, log_dir / "monitoring-gunicorn.log")
    try:
        with httpx.Client(timeout=300) as client:
            server.wait_ready(client)
            dashboard = f"{server.base}/workspace/monitoring/agency/{agency.slug}/"
            timed(client, dashboard, 2, cookies=cookies)  # both workers warm
            dashboard_samples = timed(client, dashboard, args.repeat, cookies=cookies)
            print(f"dashboard: p50={p(dashboard_samples, 0.5):.1f} ms p95={p(dashboard_samples, 0.95):.1f} ms")

            StatisticsSnapshot.objects.filter(key="public").delete()
            cache.clear()
            public = f"{server.base}/statistics/"
            cold = timed(client, public, 1)[0]
            if "being prepared" in client.get(public).text:
                raise SystemExit("the public page did not compute its first snapshot")
            cached = timed(client, public, max(args.repeat, 100))
            print(f"public: cold={cold:.1f} ms cached p50={p(cached, 0.5):.1f} ms p95={p(cached, 0.95):.1f} ms")
    finally:
        server.stop()

    figures = {
        "cases": Grievance.objects.count(),
        "dashboard_p95_ms": p(dashboard_samples, 0.95),
        "public_cold_ms": cold,
        "public_cached_p95_ms": p(cached, 0.95),
    }
    for key, goal in GOALS.items():
        print(f"{'PASS' if figures[key] < goal else 'FAIL'} {key}={figures[key]:.1f} (goal < {goal})")
    print("monitoring: " + " ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
