"""How fast are a big consultation's results page and exports?

What it measures, in one run, on a consultation with ``--responses`` (default
10,000) submitted responses from every stakeholder group:

* ``results_p95_ms``: the 95th percentile latency of the public results page
  (``/consultations/<slug>/results/``, per-question statistics by stakeholder
  group with SVG charts), fetched over HTTP from ``gunicorn portal.wsgi -w 1``
  (one sync worker, ``DEBUG=false``) that this script starts and stops,
  sequentially, after a warm-up.
* ``csv_seconds`` and ``xlsx_seconds``: building the owner's full export of
  every response (``consultations.exports``), in this process, wall clock.
* ``queries``: SQL queries one results page makes with 10,000 responses,
  counted with ``CaptureQueriesContext``; the same count on a consultation
  with 10 responses is printed too, and ``Q constant`` passes when they agree.

Run it from the project root::

    .venv/bin/python bench/consultation.py
    .venv/bin/python bench/consultation.py --responses 2000 --requests 50

Environment: ``DATABASE_URL`` (default
``postgres://root@127.0.0.1:5432/suara_consult_bench``, created when missing,
migrated, and the bench consultation made once and reused) and, optionally,
``REDIS_URL`` for the server's cache. The last line printed is::

    consultation: responses=N results_p95_ms=A csv_seconds=B xlsx_seconds=C queries=Q

preceded by one PASS/FAIL line per goal. Exit status 0 when measured
(``--strict``: 1 when a goal is missed), 2 when it could not be.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ would come first on sys.path, and bench/queue.py
# would hide the standard library's queue module from everything imported.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

from bench.pages import BenchError, ensure_database, free_port, say  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/suara_consult_bench"
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
SLUG = "bench-consultation"
SMALL_SLUG = "bench-consultation-small"
GOALS = {"results_p95_ms": 200, "csv_seconds": 2, "xlsx_seconds": 10}
READY_TIMEOUT = 90
RUN_TIMEOUT = 600  # the whole run stops by itself after this


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DEBUG", "false")
    # Measure the view itself, not portal.lib.pagecache's stored copy for anonymous visitors.
    os.environ.setdefault("SUARA_PAGE_CACHE_SECONDS", "0")
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def ensure_consultation(slug: str, count: int):
    """The bench consultation with exactly ``count`` submitted responses (made once, then reused)."""
    from django.db import transaction
    from django.utils import timezone

    from consultations.answers import counted_choices
    from consultations.demo import QUESTIONS, WORRIES, _answers
    from consultations.models import ConsultationIndexPage, ConsultationPage, Response, ResponseChoice
    from home.models import HomePage
    from portal.models import Organization

    page = ConsultationPage.objects.filter(slug=slug).first()
    if page is not None and Response.objects.filter(consultation=page).count() == count:
        return page
    now = timezone.now()
    with transaction.atomic():
        home = HomePage.objects.first()
        index = ConsultationIndexPage.objects.filter(slug="consultations").first() or home.add_child(
            instance=ConsultationIndexPage(title="Consultations", slug="consultations")
        )
        owner, _ = Organization.objects.get_or_create(
            slug="bench-ministry", defaults={"name": "Bench Ministry", "kind": "government", "verified": True}
        )
        if page is None:
            page = ConsultationPage(
                title=f"Bench consultation ({count} responses)",
                slug=slug,
                summary="Made by bench/consultation.py.",
                owner_organization=owner,
                opens_at=now - datetime.timedelta(days=60),
                closes_at=now - datetime.timedelta(days=1),
                questions=QUESTIONS,
            )
            index.add_child(instance=page)
        Response.objects.filter(consultation=page).delete()
        groups = ["workers", "employers", "government", "individuals", "others"]
        channels = ["The worker chooses each time", "Bank account", "E-money wallet", "Cash at an agent"]
        batch, choices = [], []
        for i in range(count):
            answers = _answers(
                (
                    1 + i % 5,
                    channels[i % 4],
                    [WORRIES[i % 5], WORRIES[(i + 2) % 5]],
                    "yes" if i % 3 else "no",
                    f"Comment number {i}: =cmd|' /C calc'!A0 ทดสอบ" if i % 4 == 0 else "",
                )
            )
            batch.append(
                Response(
                    consultation=page,
                    respondent_name=f"Respondent {i}",
                    stakeholder_group=groups[i % 5],
                    status="submitted",
                    publication=["named", "anonymous", "none"][i % 3],
                    answers=answers,
                    submitted_at=now - datetime.timedelta(days=30, minutes=i),
                )
            )
            if len(batch) == 2000 or i == count - 1:
                Response.objects.bulk_create(batch)
                for response in batch:
                    choices.extend(
                        ResponseChoice(response=response, question_id=q, choice=c)
                        for q, c in counted_choices(page.question_list, response.answers)
                    )
                ResponseChoice.objects.bulk_create(choices, batch_size=5000)
                batch, choices = [], []
    page.save_revision().publish()
    return ConsultationPage.objects.get(pk=page.pk)


def count_queries(url: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    if response.status_code != 200:
        raise BenchError(f"{url} answered {response.status_code} in-process")
    return len(captured)


def time_exports(page) -> tuple[float, float]:
    from consultations.exports import csv_chunks, xlsx_bytes
    from consultations.selectors import SCOPE_ALL

    start = time.perf_counter()
    size = sum(len(chunk) for chunk in csv_chunks(page, SCOPE_ALL))
    csv_seconds = time.perf_counter() - start
    start = time.perf_counter()
    xlsx = xlsx_bytes(page, SCOPE_ALL)
    xlsx_seconds = time.perf_counter() - start
    say(
        f"  CSV {size / 1e6:.1f} MB characters in {csv_seconds:.2f} s; XLSX {len(xlsx) / 1e6:.1f} MB in {xlsx_seconds:.2f} s"
    )
    return csv_seconds, xlsx_seconds


def start_server(database_url: str, var_dir: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_"))}
    env.update(
        DATABASE_URL=database_url,
        DEBUG="false",
        SUARA_VAR_DIR=var_dir,
        DJANGO_SETTINGS_MODULE="portal.settings",
        SUARA_PAGE_CACHE_SECONDS="0",
    )
    env["ALLOWED_HOSTS"] = HOST
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "portal.wsgi:application", "-w", "1", "-b", f"{HOST}:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(Path(var_dir) / "gunicorn.log", "w"),
    )
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited; see {var_dir}/gunicorn.log")
        try:
            urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=2).read()
            return process, port
        except urllib.error.HTTPError:
            # It answers; /healthz may say 503 because no task worker runs here.
            return process, port
        except OSError:
            time.sleep(0.2)
    stop_server(process)
    raise BenchError(f"gunicorn did not answer within {READY_TIMEOUT} s")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def results_p95(port: int, path: str, requests: int) -> float:
    url = f"http://{HOST}:{port}{path}"
    for _ in range(5):
        urllib.request.urlopen(url, timeout=30).read()
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            if response.status != 200:
                raise BenchError(f"{path} answered {response.status}")
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    say(
        f"  results page: median {statistics.median(timings):.1f} ms, max {timings[-1]:.1f} ms over {requests} requests"
    )
    return timings[max(0, round(0.95 * len(timings)) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    started = time.monotonic()
    try:
        ensure_database(database_url)
        setup_django(database_url)
        say("Migrating and preparing the bench consultations (reused when already there)...")
        migrate()
        page = ensure_consultation(SLUG, args.responses)
        small = ensure_consultation(SMALL_SLUG, 10)
        queries = count_queries(page.url + "results/")
        small_queries = count_queries(small.url + "results/")
        say(f"  queries: {queries} with {args.responses} responses, {small_queries} with 10")
        csv_seconds, xlsx_seconds = time_exports(page)
        from django.db import connections

        connections.close_all()
        with tempfile.TemporaryDirectory(prefix="suara-consult-bench-") as var_dir:
            process, port = start_server(database_url, var_dir)
            try:
                p95 = results_p95(port, page.url + "results/", args.requests)
            finally:
                stop_server(process)
        if time.monotonic() - started > RUN_TIMEOUT:
            raise BenchError("the run took longer than its bound")
    except BenchError as exc:
        say(f"consultation benchmark could not run: {exc}")
        return 2
    figures = {"results_p95_ms": p95, "csv_seconds": csv_seconds, "xlsx_seconds": xlsx_seconds}
    missed = False
    for key, goal in GOALS.items():
        ok = figures[key] < goal
        missed |= not ok
        say(f"{'PASS' if ok else 'FAIL'} {key} {figures[key]:.2f} < {goal}")
    constant = queries == small_queries
    missed |= not constant
    say(f"{'PASS' if constant else 'FAIL'} Q constant ({queries} with {args.responses}, {small_queries} with 10)")
    say(
        f"consultation: responses={args.responses} results_p95_ms={p95:.1f} csv_seconds={csv_seconds:.2f} "
        f"xlsx_seconds={xlsx_seconds:.2f} queries={queries}"
    )
    return 1 if (missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
