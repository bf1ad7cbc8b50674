"""How fast are the agency workspace's queue and case pages with a million cases?

What it measures, through the real views (URL routing, every middleware,
sessions, the read gate, templates) with a signed-in case officer, on
PostgreSQL:

* ``first_page_p50_ms``/``first_page_p95_ms``: the queue's first page of
  "my agency, open, most urgent first" (``/workspace/queue/<agency>/``);
* ``ref_lookup_p95_ms``: the queue searched by a case reference;
* ``text_search_p95_ms``: the queue searched by a word, the worst of three
  bands: a common word (about a third of all cases), a middling one (about
  1 %) and a rare one (about 0.01 %); each band is also printed on its own,
  with the plan PostgreSQL chose for it;
* per script (English, Thai, Vietnamese, Khmer, Chinese, Indonesian,
  Bengali: about a third of the cases are written in the six, see
  ``bench/casedata.py``): the reference look-up of cases written in it, and
  the word search for a common, a middling and a rare word of it (Vietnamese
  typed without accents, Chinese with two-character words); with how many
  of the agency's cases each word is in, and the plan. The first page is the
  same for every script (the queue mixes them), so it is measured once.
  ``script_search_p95_ms`` is the worst script's worst band;
* ``queries_per_page``: SQL queries of one first-page request (and the script
  checks it is the same for 25 and 100 rows);
* ``case_page_p95_ms``/``case_page_queries``: the staff case page of a case
  with 30 timeline events (which also writes its access record).

The requests go over HTTP to a real server the script starts and stops:
``gunicorn portal.wsgi:application`` with two sync workers (the production
sketch's HTTP tier), on the bench database and Redis, in development mode
with ``DEBUG=false`` (production mode would send the bench officer to the
second-factor step first). The officer's session is made in this process
and sent as a cookie. Query counts and plans are read in this process,
through Django's test client and ``EXPLAIN``, because a server process's
queries cannot be counted from outside.

Data: ``--cases`` synthetic grievances (default 1,000,000) across
``--agencies`` agencies (default 20), each with its lodging event, bulk
loaded with ``COPY`` into the database named by ``DATABASE_URL`` (default
``postgres://root@127.0.0.1:5432/suara_queue_bench``, created when missing).
The rows are kept between runs and reused when there are at least as many;
``--reload`` deletes and loads them again. Loading 1M takes a few minutes.

    .venv/bin/python bench/queue.py --cases 100000     # a quick run
    .venv/bin/python bench/queue.py                     # the figures that count (1M)

``REDIS_URL`` (default ``redis://127.0.0.1:6379/4``) is the cache and the
channel layer, as in production. The last line printed is the summary::

    queue: cases=N first_page_p50_ms=A first_page_p95_ms=B ref_lookup_p95_ms=C text_search_p95_ms=D queries_per_page=Q case_page_p95_ms=E case_page_queries=F script_search_p95_ms=S

Cases loaded before the texts had six languages are refused: ``--reload``.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named after the standard library's ``queue`` (the issue names
# it so); run as a script, its folder comes first on sys.path and would
# shadow the real one for every library that imports it.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
sys.modules.pop("queue", None)

import argparse  # noqa: E402
import http.client  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from urllib.parse import quote  # noqa: E402

ROOT = _HERE.parent
sys.path.insert(0, str(ROOT))

from bench.casedata import (  # noqa: E402
    DEFAULT_DATABASE_URL,
    DEFAULT_REDIS_URL,
    SCRIPT_BANDS,
    SCRIPTS,
    WORDS,
    case_with_timeline,
    ensure_database,
    load,
    script_query,
    setup_django,
)

GOALS = {
    "first_page_p95_ms": 100,
    "ref_lookup_p95_ms": 20,
    "text_search_p95_ms": 300,
    "case_page_p95_ms": 60,
    "script_search_p95_ms": 300,
}
CASE_PAGE_QUERY_GOAL = 15


class Server:
    """``gunicorn portal.wsgi`` on a free loopback port, started and stopped by this script."""

    def __init__(self, database_url: str, redis_url: str, workers: int = 2):
        self.database_url, self.redis_url, self.workers = database_url, redis_url, workers
        self.process: subprocess.Popen | None = None
        self.port = 0

    def __enter__(self) -> Server:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = dict(
            os.environ,
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url,
            DJANGO_SETTINGS_MODULE="portal.settings",
            DEBUG="false",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            LOG_LEVEL="WARNING",
            SUARA_VAR_DIR=os.environ["SUARA_VAR_DIR"],
        )
        gunicorn = Path(sys.executable).parent / "gunicorn"
        command = [str(gunicorn), "portal.wsgi:application", "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}"]
        log_dir = Path(os.environ["SUARA_VAR_DIR"])
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log = (log_dir / "gunicorn.log").open("w")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}; see {self.log.name}")
            try:
                status, _ = self.get("/healthz")
            except OSError:
                time.sleep(0.2)
                continue
            if status in (200, 503):  # up; 503 names a dependency that is down, which the figures will show
                return self
        raise SystemExit(f"gunicorn did not answer within 60 s; see {self.log.name}")

    def __exit__(self, *exc_info) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.log.close()

    def get(self, path: str, cookie: str = "") -> tuple[int, dict[str, str]]:
        """One GET, read to the end; the status and the headers."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = connection.getresponse()
            response.read()
            return response.status, {key.lower(): value for key, value in response.getheaders()}
        finally:
            connection.close()


def timed(server: Server, cookie: str, url: str, repeat: int, expect: int = 200) -> list[float]:
    server.get(url, cookie)  # warm: each worker's templates, connection and plan cache
    server.get(url, cookie)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        status, headers = server.get(url, cookie)
        samples.append((time.perf_counter() - started) * 1000)
        if status != expect:
            raise SystemExit(f"{url} answered {status} {headers.get('location', '')}")
    return samples


def look_up(server: Server, cookie: str, queue: str, references: list[str]) -> list[float]:
    """Each reference typed into the queue's search box: a redirect to its case page."""
    samples = []
    for reference in references:
        started = time.perf_counter()
        status, headers = server.get(f"{queue}?q={reference.lower()}", cookie)
        samples.append((time.perf_counter() - started) * 1000)
        # A visible reference goes straight to its case page.
        assert status == 302 and headers["location"].endswith(f"/{reference}/"), (reference, status)
    return samples


def p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def count_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return len(queries)


def script_searches() -> dict[str, dict[str, str]]:
    """What is searched for, per script and band: English's three words, then each language's."""
    searches = {"en": {band: word for band, (word, _modulus) in WORDS.items()}}
    for language in SCRIPTS:
        searches[language] = {band: script_query(language, band) for band in SCRIPT_BANDS}
    return searches


def matches_in_queue(agency, officer, word: str) -> int:
    """How many of the agency's open cases a search finds (uncapped: the bench wants the number)."""
    from django.utils import timezone

    from grievances.workspace import selectors

    queryset = selectors.agency_cases(officer, agency, tab="open").filter(
        selectors.tab_conditions(officer, agency, timezone.localdate())["open"]
    )
    return selectors.text_search(queryset, word).count()


def explain_search(agency, officer, word: str) -> str:
    """The plan PostgreSQL picks for one band's page query (first line of each node)."""
    from django.db import connection
    from django.utils import timezone

    from grievances.workspace import selectors

    queryset = selectors.agency_cases(officer, agency, tab="open").filter(
        selectors.tab_conditions(officer, agency, timezone.localdate())["open"]
    )
    queryset = selectors.text_search(queryset, word).order_by("due_on", "pk")[:26]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        lines = [row[0] for row in cursor.fetchall()]
    nodes = [line.strip().lstrip("-> ").split("  (")[0] for line in lines if "->" in line or line is lines[0]]
    return " / ".join(nodes[:6])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--agencies", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=40, help="Timed requests per figure.")
    parser.add_argument("--reload", action="store_true", help="Delete the bench cases and load them again.")
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not database_url.startswith("postgres"):
        print("bench/queue.py measures PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    ensure_database(database_url)
    setup_django(database_url, os.environ.get("REDIS_URL", DEFAULT_REDIS_URL))

    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", interactive=False, verbosity=0)
    world = load(args.cases, args.agencies, args.reload)
    officer, agency = world["officer"], world["agency"]
    timeline_case = case_with_timeline(officer, agency)

    client = Client()
    client.force_login(officer)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    queue = f"/workspace/queue/{agency.slug}/"
    client.get(queue)  # the tab counts are kept for a minute; a reload within it is the common case
    queries_25 = count_queries(client, queue)
    queries_100 = count_queries(client, queue + "?per_page=100")
    if queries_25 != queries_100:
        print(f"FAIL queries differ: {queries_25} for 25 rows, {queries_100} for 100")
    case_url = f"/workspace/cases/{timeline_case.reference}/"
    case_queries = count_queries(client, case_url)

    from grievances.models import Grievance

    sample_refs = list(
        Grievance.objects.filter(agency=agency).order_by("?").values_list("reference", flat=True)[: args.repeat]
    )
    searches = script_searches()
    script_refs = {
        language: list(
            Grievance.objects.filter(agency=agency, language=language)
            .order_by("?")
            .values_list("reference", flat=True)[: args.repeat]
        )
        for language in searches
    }
    plans = {
        (language, band): explain_search(agency, officer, word)
        for language, bands in searches.items()
        for band, word in bands.items()
    }
    found = {
        (language, band): matches_in_queue(agency, officer, word)
        for language, bands in searches.items()
        for band, word in bands.items()
    }
    database_url, redis_url = os.environ["DATABASE_URL"], os.environ["REDIS_URL"]
    from django.db import connections

    connections.close_all()  # the server's workers get the database to themselves

    with Server(database_url, redis_url) as server:
        first_page = timed(server, cookie, queue, args.repeat)
        server.get(f"{queue}?q={sample_refs[0]}", cookie)
        ref_samples = look_up(server, cookie, queue, sample_refs)

        band_p95, script_p95, script_ref_p95 = {}, {}, {}
        for language, bands in searches.items():
            script = SCRIPTS[language]["script"] if language in SCRIPTS else "English"
            script_ref_p95[language] = p(look_up(server, cookie, queue, script_refs[language]), 0.95)
            print(f"{script} ({language}): reference look-up p95={script_ref_p95[language]:.1f} ms")
            for band, word in bands.items():
                samples = timed(server, cookie, f"{queue}?q={quote(word)}", args.repeat)
                script_p95[(language, band)] = p(samples, 0.95)
                if language == "en":
                    band_p95[band] = script_p95[(language, band)]
                print(
                    f"  search {band:8} '{word}' ({found[(language, band)]:,} of the agency's open cases): "
                    f"p50={p(samples, 0.5):.1f} ms p95={script_p95[(language, band)]:.1f} ms"
                )
                print(f"    plan: {plans[(language, band)]}")

        case_samples = timed(server, cookie, case_url, args.repeat)

    figures = {
        "cases": Grievance.objects.count(),
        "first_page_p50_ms": p(first_page, 0.5),
        "first_page_p95_ms": p(first_page, 0.95),
        "ref_lookup_p95_ms": p(ref_samples, 0.95),
        "text_search_p95_ms": max(band_p95.values()),
        "queries_per_page": queries_25,
        "case_page_p95_ms": p(case_samples, 0.95),
        "case_page_queries": case_queries,
        "script_search_p95_ms": max(script_p95.values()),
    }
    print("per script, p95 in ms (goals: search < 300, look-up < 20; first page, the same for all, < 100):")
    print(f"  {'script':11} {'look-up':>8} {'common':>8} {'middling':>8} {'rare':>8}")
    for language in searches:
        script = SCRIPTS[language]["script"] if language in SCRIPTS else "English"
        bands = " ".join(f"{script_p95[(language, band)]:8.1f}" for band in ("common", "middling", "rare"))
        print(f"  {script:11} {script_ref_p95[language]:8.1f} {bands}")
    for key, goal in GOALS.items():
        verdict = "PASS" if figures[key] < goal else "FAIL"
        print(f"{verdict} {key}={figures[key]:.1f} (goal < {goal})")
    print(f"{'PASS' if case_queries <= CASE_PAGE_QUERY_GOAL else 'FAIL'} case_page_queries={case_queries} (goal <= 15)")
    print(
        "queue: "
        + " ".join(
            f"{key}={value:.1f}" if isinstance(value, float) else f"{key}={value}" for key, value in figures.items()
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
