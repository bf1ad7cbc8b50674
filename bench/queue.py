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
* ``queries_per_page``: SQL queries of one first-page request (and the script
  checks it is the same for 25 and 100 rows);
* ``case_page_p95_ms``/``case_page_queries``: the staff case page of a case
  with 30 timeline events (which also writes its access record).

The requests run in this process through Django's test client: there is no
HTTP server in the figures, so they are the cost of Django and the database,
and nothing needs starting or stopping except this process's connections.

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

    queue: cases=N first_page_p50_ms=A first_page_p95_ms=B ref_lookup_p95_ms=C text_search_p95_ms=D queries_per_page=Q case_page_p95_ms=E case_page_queries=F
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
import os  # noqa: E402
import time  # noqa: E402

ROOT = _HERE.parent
sys.path.insert(0, str(ROOT))

from bench.casedata import (  # noqa: E402
    DEFAULT_DATABASE_URL,
    DEFAULT_REDIS_URL,
    WORDS,
    case_with_timeline,
    ensure_database,
    load,
    setup_django,
)

GOALS = {"first_page_p95_ms": 100, "ref_lookup_p95_ms": 20, "text_search_p95_ms": 300, "case_page_p95_ms": 60}
CASE_PAGE_QUERY_GOAL = 15


def timed(client, url: str, repeat: int) -> list[float]:
    client.get(url)  # warm: templates, the session, the plan cache
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
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

    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", interactive=False, verbosity=0)
    world = load(args.cases, args.agencies, args.reload)
    officer, agency = world["officer"], world["agency"]
    timeline_case = case_with_timeline(officer, agency)

    client = Client()
    client.force_login(officer)
    queue = f"/workspace/queue/{agency.slug}/"
    first_page = timed(client, queue, args.repeat)
    queries_25 = count_queries(client, queue)
    queries_100 = count_queries(client, queue + "?per_page=100")
    if queries_25 != queries_100:
        print(f"FAIL queries differ: {queries_25} for 25 rows, {queries_100} for 100")

    from grievances.models import Grievance

    sample_refs = list(
        Grievance.objects.filter(agency=agency).order_by("?").values_list("reference", flat=True)[: args.repeat]
    )
    client.get(f"{queue}?q={sample_refs[0]}")
    ref_samples = []
    for reference in sample_refs:
        started = time.perf_counter()
        response = client.get(f"{queue}?q={reference.lower()}")
        ref_samples.append((time.perf_counter() - started) * 1000)
        # A visible reference goes straight to its case page.
        assert response.status_code == 302 and response["Location"].endswith(f"/{reference}/"), reference

    band_p95 = {}
    for band, (word, _modulus) in WORDS.items():
        samples = timed(client, f"{queue}?q={word}", args.repeat)
        band_p95[band] = p(samples, 0.95)
        print(f"search {band:8} '{word}': p50={p(samples, 0.5):.1f} ms p95={band_p95[band]:.1f} ms")
        print(f"  plan: {explain_search(agency, officer, word)}")

    case_url = f"/workspace/cases/{timeline_case.reference}/"
    case_samples = timed(client, case_url, args.repeat)
    case_queries = count_queries(client, case_url)

    figures = {
        "cases": Grievance.objects.count(),
        "first_page_p50_ms": p(first_page, 0.5),
        "first_page_p95_ms": p(first_page, 0.95),
        "ref_lookup_p95_ms": p(ref_samples, 0.95),
        "text_search_p95_ms": max(band_p95.values()),
        "queries_per_page": queries_25,
        "case_page_p95_ms": p(case_samples, 0.95),
        "case_page_queries": case_queries,
    }
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
