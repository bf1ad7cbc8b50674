"""How fast are themes and similar cases with many cases?

What it measures, on PostgreSQL, in this process (the selectors and services
the pages, the API and the task worker call):

* ``texts_per_core_s``: vectorising throughput of one core, on distinct texts
  of the bench's mix of scripts;
* ``first_refresh_seconds``: ``insights_refresh`` when no case has a vector
  yet (vectorise every case, then cluster);
* ``refresh_seconds``: ``insights_refresh`` again, from the stored vectors
  (what the hourly schedule costs once cases are vectorised as they arrive);
* ``assign_p95_ms``: the task body that places a newly lodged case (vectorise,
  store, nearest theme), timed over 30 new lodgings; the worker's polling
  interval comes on top;
* ``similar_p95_ms``: ``similar_to`` for 30 cases of the officer's agency;
* ``themes_p95_ms``: the themes of the officer's agency with every case
  reference (what ``GET /api/v1/insights/themes`` serialises), as read from
  its cache (per refresh and set of agencies, for a minute); the cold
  computation is printed above the last line;
* ``peak_rss_mb``: this process's peak resident memory.

Data: ``--cases`` synthetic grievances (default 200,000) of bench/casedata.py,
loaded with ``COPY`` into ``postgres://root@127.0.0.1:5432/suara_insights_bench``
(or ``DATABASE_URL``), kept and reused between runs. A million texts at the
measured throughput take ``1e6 / texts_per_core_s`` core-seconds: the
benchmark vectorises them all once in the first refresh, as a deployment does
once (``insights_refresh``), and the figures that matter afterwards are from
stored vectors.

    .venv/bin/python bench/insights.py --cases 200000

Last line::

    insights: cases=N refresh_seconds=S assign_p95_ms=A similar_p95_ms=B themes_p95_ms=C peak_rss_mb=M
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ comes first on sys.path, and bench/queue.py would shadow the standard library's queue.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != ROOT / "bench"]
sys.modules.pop("queue", None)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import casedata  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/suara_insights_bench"


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--agencies", type=int, default=20)
    parser.add_argument("--reload", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("SUARA_VAR_DIR", "/tmp/var-insights-bench")
    casedata.ensure_database(url)
    casedata.setup_django(url, os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13"))

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    data = casedata.load(args.cases, args.agencies, args.reload)

    from grievances.insights import selectors, services, vectors
    from grievances.insights.models import CaseVector, Refresh
    from grievances.insights.tasks import place_case
    from grievances.models import Grievance
    from grievances.services import grievance_lodge

    officer, categories = data["officer"], data["categories"]
    texts = list(Grievance.objects.order_by("?").values_list("description", flat=True)[:3000])
    started = time.perf_counter()
    for text in texts:
        vectors.vectorise(text)
    per_core = len(texts) / (time.perf_counter() - started)
    print(f"vectorising: {per_core:,.0f} texts/s on one core; 1M texts = {1e6 / per_core / 60:.1f} core-minutes")

    last = Refresh.objects.order_by("-computed_at", "-pk").first()
    # Vectors of another method (a glossary changed since the data was loaded) are all computed again
    # by the next refresh: that is a first refresh, not one from stored vectors.
    stale = last is not None and last.space.get("method") != vectors.METHOD
    if stale or CaseVector.objects.count() < Grievance.objects.count():
        started = time.perf_counter()
        services.insights_refresh()
        print(f"first refresh (vectorise all, then cluster): {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    refresh = services.insights_refresh()
    refresh_seconds = time.perf_counter() - started
    print(
        f"refresh from stored vectors: {refresh_seconds:.1f} s, {refresh.themes.count()} themes, {refresh.cases:,} cases"
    )

    rng = random.Random(17)
    assign = []
    for n in range(30):
        lodged = grievance_lodge(
            category=categories[0],
            description=rng.choice(texts) + f" {n}",
            contact_preference=Grievance.Contact.NONE,
            anonymous=True,
        ).grievance
        started = time.perf_counter()
        place_case.call(lodged.pk)
        assign.append((time.perf_counter() - started) * 1000)

    own = list(Grievance.objects.visible_to(officer).order_by("?").values_list("pk", flat=True)[:30])
    similar = []
    for pk in own:
        grievance = Grievance.objects.get(pk=pk)
        started = time.perf_counter()
        selectors.similar_to(officer, grievance, limit=10)
        similar.append((time.perf_counter() - started) * 1000)

    selectors.changed()
    started = time.perf_counter()
    shown = selectors.themes_for_api(officer)
    cold = (time.perf_counter() - started) * 1000
    themes = []
    for _ in range(20):
        started = time.perf_counter()
        selectors.themes_for_api(officer)
        themes.append((time.perf_counter() - started) * 1000)
    print(
        f"themes of the officer's agency: {len(shown)}, {sum(t.size for t in shown):,} cases; "
        f"computed in {cold:.0f} ms, then from the cache"
    )

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"insights: cases={refresh.cases} refresh_seconds={refresh_seconds:.1f} assign_p95_ms={p95(assign):.0f} "
        f"similar_p95_ms={p95(similar):.0f} themes_p95_ms={p95(themes):.0f} peak_rss_mb={peak:.0f}"
    )


if __name__ == "__main__":
    main()
