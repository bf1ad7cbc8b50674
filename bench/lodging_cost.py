"""What one lodging costs the web process: CPU milliseconds and queries, measured in-process.

The intake benchmark (bench/intake.py) counts lodgings a second through the
whole production sketch, where gunicorn, PostgreSQL, the task worker and the
clients share two cores. This one isolates the web process's share, so that a
change to the lodging path can be judged by its CPU cost whatever else the
machine is doing (CPU time, not wall time). It posts the public form the way
bench/intake.py's clients do (a CSRF token, no session cookie, half anonymous,
half with a phone number), on PostgreSQL + Redis with production settings.

    .venv/bin/python bench/lodging_cost.py [--lodgings 500] [--with-key]

With --with-key each lodging carries a fresh one-time form key, as a browser
that loaded the form sends it (bench/intake.py's clients send none).

DATABASE_URL (default postgres://root@127.0.0.1:5432/suara_bench) and
REDIS_URL (default redis://127.0.0.1:6379/0) come from the environment. The
last line is:

    lodging_cost: lodgings=N cpu_ms_per_lodging=C queries_per_lodging=Q
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.intake import CATEGORY_SELECT, OPTION, TOKEN, lodging_fields  # noqa: E402
from bench.pages import BIN, ROOT, check_redis, ensure_database, portal_env, prepare_portal, say  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/suara_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def measure(lodgings: int, *, with_key: bool = False) -> None:
    """Inside the prepared environment: warm up, then lodge ``lodgings`` times and print the figures."""
    import django

    django.setup()
    from http.cookies import SimpleCookie

    from django.core import signing
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from grievances.forms import SUBMISSION_SALT
    from grievances.models import ThrottleHit

    client = Client(enforce_csrf_checks=True)
    form = client.get("/grievances/new/", secure=True).content.decode()
    token = TOKEN.search(form).group(1)
    categories = OPTION.findall(CATEGORY_SELECT.search(form).group(1))
    csrf_cookie = client.cookies["csrftoken"].value
    stamp = int(time.time())

    def lodge(job: int) -> None:
        data = lodging_fields(job, token=token, categories=categories, tag=f"{stamp}-")
        if with_key:
            data["submission"] = signing.dumps(f"bench-{stamp}-{job}", salt=SUBMISSION_SALT)
        client.cookies = SimpleCookie({"csrftoken": csrf_cookie})  # a new person each time: no session yet
        response = client.post(
            "/grievances/new/",
            data,
            secure=True,
            headers={"referer": "https://testserver/grievances/new/"},
            REMOTE_ADDR=f"198.18.{job // 250 % 250}.{job % 250 + 1}",
        )
        if response.status_code != 302:
            raise SystemExit(f"lodging {job} answered HTTP {response.status_code}: {response.content[:300]!r}")

    # Earlier runs' addresses must not be limited: their lodgings were counted in the
    # database, or in Redis while it is up (grievances.throttle).
    ThrottleHit.objects.all().delete()
    redis = getattr(cache, "redis_client", lambda: None)()
    if redis is not None:
        for key in redis.scan_iter(match="*rate-window:lodge-*"):
            redis.delete(key)
    for job in range(20):
        lodge(job)
    with CaptureQueriesContext(connection) as queries:
        lodge(20)
    # Only the lodging's own statements count, not the transaction bookkeeping around them.
    statements = [
        q["sql"] for q in queries.captured_queries if not re.match(r"(BEGIN|COMMIT|SAVEPOINT|RELEASE)", q["sql"])
    ]
    started = time.process_time()
    for job in range(21, 21 + lodgings):
        lodge(job)
    cpu_ms = (time.process_time() - started) / lodgings * 1000
    say(f"lodging_cost: lodgings={lodgings} cpu_ms_per_lodging={cpu_ms:.2f} queries_per_lodging={len(statements)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lodgings", type=int, default=500)
    parser.add_argument("--with-key", action="store_true", help="send a fresh one-time form key with each lodging")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        measure(args.lodgings, with_key=args.with_key)
        return 0
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    ensure_database(database_url)
    check_redis(redis_url)
    with tempfile.TemporaryDirectory(prefix="suara-lodging-cost-") as scratch:
        env = portal_env(database_url, redis_url, Path(scratch))
        env["ALLOWED_HOSTS"] += ",testserver"
        say("Preparing the database (migrate, static files, demo data)…")
        prepare_portal(env, Path(scratch))
        command = [str(BIN / "python"), str(Path(__file__).resolve()), "--inner", "--lodgings", str(args.lodgings)]
        command += ["--with-key"] if args.with_key else []
        return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
