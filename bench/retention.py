"""Retention and key rotation over the million-case data set (bench/casedata.py) on PostgreSQL.

1. Load the cases (reused between runs) and give each one a sealed contact name
   and phone number, and each of the closed ones a description holding a
   phone number and the name (done once, marked by the contact name).
2. Anonymise ``--anonymise`` closed cases with the retention sweep's own
   function, batch by batch, timed: cases per second (goal: at least 2,000).
3. Rotate the data key over every case (``manage.py rotate_keys``'s function
   with a new key appended), timed (goal: under 15 minutes for a million).

With ``--beside-pages``, the web pages' benchmark (``bench/pages.py
--no-uvicorn``, on a database of its own) runs beside the sweep: the sweep
starts when the pages bench starts its load (wrk's warm-up), and the script
checks that the pages bench's last measured load (bare Django) ended before
the sweep did, so that every rate and latency it reports was measured while
cases were being anonymised. When the sweep ends first, it says so: give
``--anonymise`` more cases.

Run: ``DATABASE_URL=postgres://root@127.0.0.1:5432/suara_privacy_bench .venv/bin/python bench/retention.py``
(``--cases 200000`` for a smaller set). Its own database by default: the run
changes the cases it anonymises. Last line:
``retention: cases=N cases_per_second=R rotation_seconds=S``.
"""

from __future__ import annotations

import argparse
import base64
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and its queue.py
# would shadow the standard library's ``queue`` for every library importing it.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
sys.modules.pop("queue", None)
ROOT = _HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.casedata import DEFAULT_REDIS_URL, ensure_database, load, setup_django  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/suara_privacy_bench"
PAGES_DATABASE_URL = "postgres://root@127.0.0.1:5432/suara_privacy_pages"
# bench/pages.py's output: its load starts with the first line, and its last measured load is the second's.
PAGES_LOAD_STARTS = "Loading with wrk"
PAGES_LOAD_ENDS = "  bare Django"
BENCH_NAME = "Bench Complainant"
KEY_A = "bench-a:" + base64.b64encode(b"A" * 32).decode()
KEY_B = "bench-b:" + base64.b64encode(b"B" * 32).decode()


def seed_personal_data(total: int) -> None:
    """Sealed contact details on every bench case, and identifiers in closed cases' texts (once)."""
    from django.db import connection

    from grievances.models import Grievance
    from portal.lib import datakeys

    pending = Grievance.objects.filter(contact_phone="", anonymisation__isnull=True).count()
    if not pending:
        print("personal data already seeded")
        return
    started = time.monotonic()
    ring = datakeys.keyring()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_contact (id bigint, name text, phone text, description text)")
        # Cases loaded since the last seeding (``--cases`` raised); anonymised ones stay without a name.
        cursor.execute(
            "SELECT id, status, description FROM grievances_grievance g WHERE contact_phone = '' "
            "AND NOT EXISTS (SELECT 1 FROM grievances_privacy_anonymisation a WHERE a.grievance_id = g.id) ORDER BY id"
        )
        rows = cursor.fetchall()
        raw = connection.connection
        with raw.cursor() as copy_cursor, copy_cursor.copy("COPY bench_contact FROM STDIN") as copy:
            for pk, status, description in rows:
                name = datakeys.seal_text(f"{BENCH_NAME} {pk}", ring=ring)
                phone = datakeys.seal_text(f"+66 81 {pk % 1000:03d} {pk % 10000:04d}", ring=ring)
                if status == "closed":
                    description = f"{description} Call {BENCH_NAME} {pk} on 081 {pk % 1000:03d} {pk % 10000:04d}."
                copy.write_row((pk, name, phone, description))
        cursor.execute(
            "UPDATE grievances_grievance g SET contact_name = b.name, contact_phone = b.phone, "
            "description = b.description, contact_preference = 'phone' FROM bench_contact b WHERE g.id = b.id"
        )
        cursor.execute("DROP TABLE bench_contact")
        cursor.execute("ANALYZE grievances_grievance")
    print(f"seeded sealed contact details on {len(rows):,} of {total:,} cases in {time.monotonic() - started:.0f} s")


class PagesBeside:
    """bench/pages.py in a child process, its output echoed and the times its load starts and ends noted."""

    def __init__(self, database_url: str, redis_url: str, duration: int) -> None:
        command = [sys.executable, str(_HERE / "pages.py"), "--no-uvicorn", "--duration", str(duration)]
        env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=redis_url)
        env.pop("SUARA_DATA_KEYS", None)  # the pages bench uses its own key for its own database
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
        )
        self.load_started = threading.Event()
        self.load_started_at: float | None = None
        self.load_ended_at: float | None = None
        self.summary = ""
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            line = line.rstrip("\n")
            now = time.monotonic()
            self.lines.append(line)
            print(f"  [pages] {line}", flush=True)
            if line.startswith(PAGES_LOAD_STARTS):
                self.load_started_at = now
                self.load_started.set()
            elif line.startswith(PAGES_LOAD_ENDS) and "req/s" in line:
                self.load_ended_at = now
            elif line.startswith("pages: "):
                self.summary = line
        self.load_started.set()  # the child ended: never leave the sweep waiting

    def wait_for_load(self) -> bool:
        self.load_started.wait()
        return self.load_started_at is not None

    def finish(self) -> int:
        code = self.process.wait()
        self.reader.join()
        return code


def report_beside(pages: PagesBeside, sweep_started: float, sweep_ended: float) -> bool:
    """Print where the pages bench's load fell in the sweep; True when all of it fell inside."""
    from bench.pages import WARMUP_SECONDS

    if pages.load_started_at is None or pages.load_ended_at is None:
        print("pages beside the sweep: the pages bench did not finish its load (see its output above)")
        return False
    # The line that starts the sweep comes just before wrk's warm-up; the measured load begins after it.
    start = pages.load_started_at + WARMUP_SECONDS - sweep_started
    end = pages.load_ended_at - sweep_started
    length = sweep_ended - sweep_started
    inside = start >= 0 and end <= length
    verdict = (
        "every pages figure was measured during anonymisation"
        if inside
        else "NOT all measured during anonymisation: the sweep ended first; give --anonymise more cases"
    )
    print(
        f"pages beside the sweep: loads measured from {start:.1f} s to {end:.1f} s "
        f"of the sweep's {length:.1f} s: {verdict}"
    )
    return inside


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--agencies", type=int, default=20)
    parser.add_argument("--anonymise", type=int, default=100_000, help="Closed cases to anonymise.")
    parser.add_argument("--batch-size", type=int, default=500, help="Cases per anonymisation transaction.")
    parser.add_argument("--skip-rotation", action="store_true")
    parser.add_argument(
        "--beside-pages",
        action="store_true",
        help="Run bench/pages.py --no-uvicorn alongside; the sweep starts with its load and must outlast it.",
    )
    parser.add_argument("--pages-duration", type=int, default=10, help="bench/pages.py --duration (seconds).")
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not database_url.startswith("postgres"):
        print("bench/retention.py measures PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    # Both keys readable (an earlier run may have rotated to either); new writes under A.
    os.environ["SUARA_DATA_KEYS"] = f"{KEY_B},{KEY_A}"
    ensure_database(database_url)
    setup_django(database_url, os.environ.get("REDIS_URL", DEFAULT_REDIS_URL))

    from django.conf import settings
    from django.core.management import call_command

    from grievances.privacy.models import Anonymisation
    from grievances.privacy.policies import Policies
    from grievances.privacy.services import cases_due, grievances_anonymise
    from portal.lib.rotation import rotate_keys

    call_command("migrate", interactive=False, verbosity=0)
    load(args.cases, args.agencies, reload=False)
    seed_personal_data(args.cases)

    # Every bench case closed before today is due under a one-day policy; no policy row is written.
    policies = Policies()
    policies.defaults = {}
    policies.by_category = {}
    from grievances.privacy import policies as policy_module

    policy_module.DEFAULT_DAYS["cases"] = 1
    queryset, labels = cases_due(policies=policies)
    done_before = Anonymisation.objects.count()
    pages = None
    if args.beside_pages:
        pages_url = os.environ.get("PAGES_DATABASE_URL", PAGES_DATABASE_URL)
        print(f"starting bench/pages.py --no-uvicorn on {pages_url.rsplit('/', 1)[-1]}; the sweep waits for its load")
        pages = PagesBeside(pages_url, os.environ.get("REDIS_URL", DEFAULT_REDIS_URL), args.pages_duration)
        if not pages.wait_for_load():
            print("bench/pages.py ended before its load began", file=sys.stderr)
            return 2
    anonymised = 0
    started = time.monotonic()
    # As the sweep does: the due cases found once, then taken batch by batch (timed together).
    due = list(queryset.order_by("pk").values_list("pk", flat=True)[: args.anonymise])
    for start in range(0, len(due), args.batch_size):
        batch = due[start : start + args.batch_size]
        anonymised += len(grievances_anonymise(ids=batch, reason=Anonymisation.Reason.RETENTION, policy_labels=labels))
    ended = time.monotonic()
    elapsed = ended - started
    rate = anonymised / elapsed if elapsed else 0.0
    print(
        f"anonymised {anonymised:,} closed cases in {elapsed:.1f} s ({rate:,.0f}/s; "
        f"{done_before:,} anonymised by earlier runs)"
    )
    covered = True
    if pages is not None:
        pages.finish()
        covered = report_beside(pages, started, ended)
        print(pages.summary or "pages: no summary (see its output above)")

    rotation_seconds = 0.0
    if not args.skip_rotation:
        # The next key: whichever of A and B the cases are not under now.
        current = settings.SUARA_DATA_KEYS.split(",")[-1]
        from grievances.models import Grievance

        sample = Grievance.objects.exclude(contact_phone="").values_list("pk", flat=True).first()
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT contact_phone FROM grievances_grievance WHERE id = %s", [sample])
            under = cursor.fetchone()[0].split(":")[2]
        old, new = (KEY_A, KEY_B) if under == "bench-a" else (KEY_B, KEY_A)
        settings.SUARA_DATA_KEYS = f"{old},{new}"
        del current
        started = time.monotonic()
        report = rotate_keys(batch_size=2000, files=False)
        rotation_seconds = time.monotonic() - started
        print(
            f"rotated {report.rows:,} sealed values to key {new.split(':')[0]} in {rotation_seconds:.0f} s; "
            f"left under old keys: {sum(report.remaining.values())}"
        )
    print(f"retention: cases={anonymised} cases_per_second={rate:.0f} rotation_seconds={rotation_seconds:.0f}")
    return 0 if covered else 1


if __name__ == "__main__":
    raise SystemExit(main())
