"""Intake benchmark: how many grievances a small server takes per second, and that none is lost.

Starts the production sketch (gunicorn sync workers behind a notional proxy,
PostgreSQL, Redis, one task worker), then concurrent clients each fetch the
form once and post grievances through the real view, as browsers do (CSRF
token, the form's fields, half of them anonymous, half with a phone number so
an acknowledgement SMS is queued). Afterwards every reference a client was
given is looked up in the database.

    .venv/bin/python bench/intake.py [--lodgings 3000] [--clients 16] [--workers 4]

DATABASE_URL (default postgres://root@127.0.0.1:5432/suara_bench) and
REDIS_URL (default redis://127.0.0.1:6379/0) come from the environment. The
last line is:

    intake: lodged=N seconds=S per_second=R p50_ms=A p95_ms=B lost=L duplicate_refs=D

Each client sends a different X-Forwarded-For address (TRUSTED_PROXY_COUNT=1),
as people behind a real proxy would, so the per-address limit of 10 lodgings
an hour applies per simulated person, not to the whole benchmark.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

# Run as a script, bench/ would come first on sys.path, and bench/queue.py
# would hide the standard library's queue module from everything imported.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402 - after the path fix above: it imports queue

from bench.pages import (  # noqa: E402
    BIN,
    BenchError,
    Server,
    check_redis,
    ensure_database,
    gunicorn_command,
    manage_shell,
    portal_env,
    prepare_portal,
    say,
)

DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/suara_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
PER_SECOND_GOAL = 100
LODGINGS_PER_ADDRESS = 10  # the portal's limit per address and hour
ACK = re.compile(r"^/grievances/(SU-[0-9A-Z]{4}-[0-9A-Z]{4})/acknowledgement/$")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CATEGORY_SELECT = re.compile(r'<select name="category"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="(\d+)"')


def lodging_fields(job: int, *, token: str, categories: list[str], tag: str = "") -> dict[str, str]:
    """The public form as one simulated person fills it: half anonymous, half with a phone number."""
    anonymous = job % 2 == 0
    data = {
        "csrfmiddlewaretoken": token,
        "category": categories[job % len(categories)],
        "description": f"Benchmark grievance {tag}{job}: my payment did not arrive. ทดสอบ",
        "contact_preference": "none" if anonymous else "phone",
        "contact_phone": "" if anonymous else f"+66 8{job % 10} 555 {job % 10000:04d}",
        "confidentiality": "standard",
        "website": "",
    }
    if anonymous:
        data["anonymous"] = "on"
    return data


class Client(threading.Thread):
    """One simulated browser: fetches the form, then posts grievances one after another."""

    def __init__(self, index: int, base: str, jobs: list[int], start_gate: threading.Barrier):
        super().__init__(daemon=True)
        self.index, self.base, self.jobs, self.start_gate = index, base, jobs, start_gate
        self.latencies_ms: list[float] = []
        self.references: list[str] = []
        self.failures: list[str] = []

    def headers(self, address: str, cookie: str) -> dict[str, str]:
        return {
            "X-Forwarded-For": address,
            # The notional proxy terminated TLS; production cookies are Secure.
            "X-Forwarded-Proto": "https",
            "Referer": f"https://{self.base.split('://', 1)[1]}grievances/new/",
            "Cookie": cookie,
        }

    def run(self) -> None:
        session = requests.Session()
        address = f"198.18.{self.index // 250}.{self.index % 250 + 1}"
        try:
            form = session.get(self.base + "grievances/new/", headers=self.headers(address, ""), timeout=30)
        except requests.RequestException as exc:
            self.failures.append(f"form: {exc}")
            self.start_gate.abort()
            return
        token, select = TOKEN.search(form.text), CATEGORY_SELECT.search(form.text)
        if form.status_code != 200 or token is None or select is None:
            self.failures.append(f"form: HTTP {form.status_code} {form.text[:300]!r}")
            self.start_gate.abort()  # the others must not wait for this one for ever
            return
        token = token.group(1)
        categories = OPTION.findall(select.group(1))
        cookie = f"csrftoken={form.cookies.get('csrftoken')}"
        try:
            self.start_gate.wait()
        except threading.BrokenBarrierError:  # another client could not even fetch the form
            return
        for job in self.jobs:
            # A new notional person every LODGINGS_PER_ADDRESS lodgings.
            address = f"198.{18 + job // 60000}.{job // LODGINGS_PER_ADDRESS // 250 % 250}.{job // LODGINGS_PER_ADDRESS % 250 + 1}"
            data = lodging_fields(job, token=token, categories=categories)
            started = time.perf_counter()
            try:
                response = session.post(
                    self.base + "grievances/new/",
                    data=data,
                    headers=self.headers(address, cookie),
                    allow_redirects=False,
                    timeout=60,
                )
            except requests.RequestException as exc:
                self.failures.append(f"{job}: {exc}")
                continue
            elapsed = (time.perf_counter() - started) * 1000
            match = ACK.match(response.headers.get("Location", ""))
            if response.status_code == 302 and match:
                self.latencies_ms.append(elapsed)
                self.references.append(match.group(1))
            else:
                self.failures.append(f"{job}: HTTP {response.status_code}")


def count_stored(env: dict[str, str], references: list[str]) -> int:
    """How many of ``references`` are in the database, asked through Django in a child process."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as file:
        file.write("\n".join(references))
    code = (
        "from grievances.models import Grievance\n"
        f"refs = open({file.name!r}).read().split()\n"
        "found = 0\n"
        "for i in range(0, len(refs), 1000):\n"
        "    found += Grievance.objects.filter(reference__in=refs[i:i+1000]).count()\n"
        "print(found)\n"
    )
    try:
        return int(manage_shell(env, code))
    finally:
        os.unlink(file.name)


def settle(env: dict[str, str], *, timeout: float = 600) -> int:
    """Start each run from the state production keeps: statistics fresh and no task left waiting.

    This machine's PostgreSQL runs without autovacuum, so a database the
    benchmark reuses keeps the dead rows and stale statistics of every earlier
    run, and tasks an earlier run left waiting would be worked off during this
    one's clock. Both made each run slower than the one before it (103 → 86/s).
    Returns how many tasks were still waiting when ``timeout`` ran out (0: settled).
    """
    code = (
        "import time\n"
        "from django.db import connection\n"
        "from django_tasks_db.models import DBTaskResult\n"
        f"deadline = time.monotonic() + {timeout}\n"
        "while (left := DBTaskResult.objects.ready().count()) and time.monotonic() < deadline:\n"
        "    time.sleep(2)\n"
        "if connection.vendor == 'postgresql':\n"
        "    connection.cursor().execute('VACUUM ANALYZE')\n"
        "print(left)\n"
    )
    return int(manage_shell(env, code))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lodgings", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn sync workers")
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    ensure_database(database_url)
    check_redis(redis_url)

    with tempfile.TemporaryDirectory(prefix="suara-intake-") as scratch:
        scratch_dir = Path(scratch)
        env = portal_env(database_url, redis_url, scratch_dir)
        env["TRUSTED_PROXY_COUNT"] = "1"
        say("Preparing the database (migrate, static files, demo data)…")
        prepare_portal(env, scratch_dir)
        web = Server(
            "gunicorn",
            gunicorn_command(args.workers, access_log=True),
            env,
            scratch_dir / "gunicorn.log",
            path="/grievances/new/",  # ready when the form answers
        )
        worker = Server(
            "db_worker", [str(BIN / "python"), "manage.py", "db_worker", "--no-reload"], env, scratch_dir / "worker.log"
        )
        try:
            web.start()
            web.wait_ready()
            worker.start()
            say("Letting the worker finish what earlier runs left, then VACUUM ANALYZE…")
            if waiting := settle(env):
                say(f"{waiting} tasks still waiting after 10 minutes: this run shares the worker with them")
            jobs = list(range(args.lodgings))
            gate = threading.Barrier(args.clients + 1)
            clients = [Client(i, web.url, jobs[i :: args.clients], gate) for i in range(args.clients)]
            for client in clients:
                client.start()
            gate.wait()
            started = time.perf_counter()
            for client in clients:
                client.join()
            seconds = time.perf_counter() - started
        finally:
            worker.stop()
            web.stop()

        references = [ref for client in clients for ref in client.references]
        latencies = sorted(ms for client in clients for ms in client.latencies_ms)
        failures = [failure for client in clients for failure in client.failures]
        stored = count_stored(env, references)

    lodged = len(references)
    lost = lodged - stored
    duplicates = lodged - len(set(references))
    per_second = lodged / seconds if seconds else 0.0
    p50 = statistics.median(latencies) if latencies else 0.0
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0.0
    if failures:
        say(f"{len(failures)} submissions were not acknowledged, e.g. {failures[:3]}")
    say(f"goal per_second >= {PER_SECOND_GOAL}: {'met' if per_second >= PER_SECOND_GOAL else 'MISSED'}")
    say(
        f"goal lost = 0: {'met' if lost == 0 else 'MISSED'}; goal duplicate_refs = 0: "
        f"{'met' if duplicates == 0 else 'MISSED'}"
    )
    print(
        f"intake: lodged={lodged} seconds={seconds:.1f} per_second={per_second:.1f} p50_ms={p50:.1f} "
        f"p95_ms={p95:.1f} lost={lost} duplicate_refs={duplicates}"
    )
    return 0 if lodged and not failures else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        sys.exit(f"intake: {error}")
