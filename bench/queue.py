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
import random  # noqa: E402
import time  # noqa: E402
from datetime import timedelta  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

ROOT = _HERE.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/suara_queue_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/4"
BENCH_PREFIX = "bench-queue"  # slugs and e-mail addresses of the bench's own rows

GOALS = {"first_page_p95_ms": 100, "ref_lookup_p95_ms": 20, "text_search_p95_ms": 300, "case_page_p95_ms": 60}
CASE_PAGE_QUERY_GOAL = 15

# Word bands: g % modulus == 0 puts the word in case g's description.
WORDS = {"common": ("payment", 3), "middling": ("wallet", 97), "rare": ("ombudsman", 9973)}
FILLER = (
    "late office card registry allowance pension disability child support bank account transfer district "
    "counter staff form refused online website phone queue month"
).split()


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def setup_django(database_url: str, redis_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = redis_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    # Development settings, but without DEBUG's query log in the figures.
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SUARA_VAR_DIR", str(ROOT / "var" / "bench-queue"))
    import django

    django.setup()


def reference_for(number: int) -> str:
    """A valid, unique reference for bench case ``number`` (base 30, with its check character)."""
    from grievances.references import ALPHABET, check_character, format_reference

    body = ""
    value = number
    for _ in range(7):
        value, digit = divmod(value, len(ALPHABET))
        body = ALPHABET[digit] + body
    return format_reference("SU" + body + check_character(body))


def load(cases: int, agencies: int, reload: bool) -> dict:
    """Bench agencies, categories, an officer, and ``cases`` grievances with one event each."""
    from django.db import connection
    from django.utils import timezone

    from grievances.models import Category, Grievance, SLAPolicy
    from portal.models import Membership, Organization, User

    policy, _ = SLAPolicy.objects.get_or_create(name="Bench")
    orgs = []
    for index in range(agencies):
        org, _ = Organization.objects.get_or_create(
            slug=f"{BENCH_PREFIX}-{index}",
            defaults={"name": f"Bench agency {index}", "kind": Organization.Kind.GOVERNMENT, "verified": True},
        )
        orgs.append(org)
    categories = []
    for org in orgs:
        theme, _ = Category.objects.get_or_create(
            parent=None, name=f"Bench theme {org.pk}", defaults={"agency": org, "sla_policy": policy}
        )
        child, _ = Category.objects.get_or_create(parent=theme, name="Payment not received")
        categories.append(child)
    email = f"{BENCH_PREFIX}-officer@demo.suara.test"  # demo domain: no second factor in development
    officer = User.objects.filter(email=email).first() or User.objects.create_user(email, "bench-password-1")
    Membership.objects.get_or_create(user=officer, organization=orgs[0], role=Membership.Role.CASE_OFFICER)

    existing = Grievance.objects.filter(agency__in=orgs).count()
    if reload and existing:
        print(f"deleting {existing:,} bench cases")
        with connection.cursor() as cursor:
            ids = "SELECT id FROM grievances_grievance WHERE agency_id = ANY(%s)"
            params = [[o.pk for o in orgs]]
            for table in ("grievances_caseaccess", "grievances_attachment", "grievances_referral"):
                cursor.execute(f"DELETE FROM {table} WHERE grievance_id IN ({ids})", params)
            # Case events are append-only through the ORM; a bench reset is not a case change.
            cursor.execute(f"DELETE FROM grievances_caseevent WHERE grievance_id IN ({ids})", params)
            cursor.execute("DELETE FROM grievances_grievance WHERE agency_id = ANY(%s)", params)
        existing = 0
    if existing >= cases:
        print(f"reusing {existing:,} bench cases")
    else:
        started = time.monotonic()
        _copy_cases(existing, cases, orgs, categories, timezone.now(), officer)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE grievances_grievance")
            cursor.execute("ANALYZE grievances_caseevent")
        print(f"loaded {cases - existing:,} cases in {time.monotonic() - started:.0f} s")
    return {"officer": officer, "agency": orgs[0], "categories": categories}


def _copy_cases(start: int, end: int, orgs, categories, now, officer) -> None:
    from django.db import connection

    from grievances.workflow import Status

    open_statuses = [Status.ACKNOWLEDGED, Status.ASSIGNED, Status.IN_PROGRESS, Status.AWAITING_COMPLAINANT]
    columns = (
        "reference, pin_hash, status, category_id, agency_id, channel, language, anonymous, confidentiality, "
        "contact_preference, contact_name, contact_phone, contact_email, member_name, member_identity_withheld, "
        "people_affected, description, lodged_at, acknowledged_at, acknowledge_due, resolve_due, due_on, at_risk_on, "
        "escalation_level, last_activity_at, decision, decision_reasons, remedy, version, updated_at, closed_at, "
        "assignee_id"
    )
    rng = random.Random(start)
    connection.ensure_connection()
    raw = connection.connection  # psycopg 3
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY grievances_grievance ({columns}) FROM STDIN") as copy:
            for number in range(start + 1, end + 1):
                agency_index = number % len(orgs)
                # Mixed so that status, age and assignment do not line up with the agency.
                mix = (number * 2654435761) % 2**32
                words = [rng.choice(FILLER) for _ in range(12)]
                for word, modulus in WORDS.values():
                    if number % modulus == 0:
                        words.insert(rng.randrange(len(words)), word)
                closed = mix % 10 < 3
                status = Status.CLOSED if closed else open_statuses[(mix // 10) % len(open_statuses)]
                # Open cases arrived in the last 40 days (a few are past due); closed ones over two years.
                age_minutes = (mix // 40) % ((730 if closed else 40) * 24 * 60)
                lodged = now - timedelta(minutes=age_minutes)
                due = (lodged + timedelta(days=30)).date()
                assignee = officer.pk if agency_index == 0 and not closed and mix % 7 == 0 else None
                copy.write_row(
                    (
                        reference_for(number),
                        "bench",
                        status,
                        categories[agency_index].pk,
                        orgs[agency_index].pk,
                        "web",
                        "en",
                        False,
                        "standard",
                        "none",
                        "",
                        "",
                        "",
                        "",
                        False,
                        1,
                        "My " + " ".join(words) + ".",
                        lodged,
                        lodged,
                        (lodged + timedelta(days=2)).date(),
                        due,
                        None if closed else due,
                        None if closed else due - timedelta(days=4),
                        0,
                        lodged,
                        "",
                        "",
                        "",
                        1,
                        lodged,
                        lodged + timedelta(days=20) if closed else None,
                        assignee,
                    )
                )
        # One lodging event per case, written by the database from the rows just loaded.
        cursor.execute(
            "INSERT INTO grievances_caseevent (grievance_id, kind, public, actor_label, by_complainant, body, "
            "payload, status_after, created_at) "
            "SELECT id, 'lodged', true, 'Complainant', true, '', '{}'::jsonb, status, lodged_at "
            "FROM grievances_grievance g WHERE g.agency_id = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM grievances_caseevent e WHERE e.grievance_id = g.id)",
            [[o.pk for o in orgs]],
        )
    raw.commit()


def case_with_timeline(officer, agency, events: int = 30):
    """One open case of the officer's agency with ``events`` timeline events, made through the services."""
    from grievances import services
    from grievances.models import CaseEvent, Grievance

    grievance = (
        Grievance.objects.filter(agency=agency, status="in_progress", description__startswith="My bench-timeline")
        .order_by("pk")
        .first()
    )
    if grievance is None:
        grievance = services.grievance_lodge(
            category=Grievance.objects.filter(agency=agency).first().category,
            description="My bench-timeline case: the payment did not arrive.",
            contact_preference="none",
            anonymous=True,
        ).grievance
        services.grievance_start(grievance=grievance, user=officer, version=grievance.version)
    grievance.refresh_from_db()
    while CaseEvent.objects.filter(grievance=grievance).count() < events:
        services.grievance_add_note(grievance=grievance, user=officer, body="Checked again.", version=grievance.version)
        grievance.refresh_from_db()
    return grievance


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
