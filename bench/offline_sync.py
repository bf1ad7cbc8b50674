"""Field-visit sync benchmark: many devices come back online at once and send what they recorded.

Starts the production sketch (gunicorn sync workers, PostgreSQL, Redis, one
task worker), makes one signed-in field worker per device with a batch of
reserved references, then every device sends its drafts at the same moment,
one request per draft, as the offline page does (session cookie, CSRF token,
multipart form; every tenth draft with a photo, so the upload checks run).
Then each device sends its first drafts again, as a sync resumed after a lost
answer would. Afterwards every reference is looked up in the database.

    .venv/bin/python bench/offline_sync.py [--drafts 500] [--devices 20] [--workers 4]

DATABASE_URL (default postgres://root@127.0.0.1:5432/suara_bench) and
REDIS_URL (default redis://127.0.0.1:6379/0) come from the environment. The
last line is:

    offline_sync: drafts=N devices=D seconds=S created=C lost=L duplicates=U

``seconds`` is the time from the first send to the last answer, resends
included; ``lost`` counts drafts with no case, ``duplicates`` cases beyond one
per draft.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Run as a script, bench/ would come first on sys.path, and bench/queue.py
# would hide the standard library's queue module from everything imported.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402 - after the path fix above: it imports queue
from PIL import Image  # noqa: E402

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
SECONDS_GOAL = 30
RESEND_PER_DEVICE = 3
PHOTO_EVERY = 10

# Run inside the portal (manage.py shell): field workers with a second factor, their sessions,
# and their reserved references. Prints one JSON document.
SETUP = """
import json, secrets, sys
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from grievances.models import Category, SLAPolicy
from datetime import timedelta
from django.utils import timezone
from grievances.offline import services
from grievances.offline.models import Reservation
from portal.models import Membership, Organization, User

devices, per_device = {devices}, {per_device}
run = secrets.token_hex(4)
agency = Organization.objects.create(
    kind=Organization.Kind.GOVERNMENT, name=f"Bench field agency {{run}}", slug=f"bench-field-{{run}}", verified=True
)
policy = SLAPolicy.objects.create(name=f"Bench field {{run}}")
theme = Category.objects.create(name=f"Bench payments {{run}}", agency=agency, sla_policy=policy)
category = Category.objects.create(parent=theme, name="Payment not received")
out = {{"category": category.pk, "run": run, "devices": []}}
for n in range(devices):
    user = User.objects.create_user(email=f"field-{{run}}-{{n}}@bench.test", password=secrets.token_urlsafe())
    Membership.objects.create(user=user, organization=agency, role=Membership.Role.CASE_OFFICER)
    # Staff need a second factor; the bench's sessions stand for people who passed it.
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={{"secret": "bench"}})
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    device = secrets.token_urlsafe(24)
    issued = services.references_reserve(user=user, device_id=device, organization=agency, count=per_device)
    # Reserved in the morning, before the visit.
    Reservation.objects.filter(user=user).update(issued_at=timezone.now() - timedelta(hours=3))
    out["devices"].append({{
        "cookie": f"{{settings.SESSION_COOKIE_NAME}}={{session.session_key}}",
        "device": device,
        "references": [r.reference for r in issued],
    }})
print(json.dumps(out))
"""

COUNT = """
from grievances.models import Grievance
refs = open({path!r}).read().split()
found = 0
for i in range(0, len(refs), 1000):
    found += Grievance.objects.filter(reference__in=refs[i:i+1000]).count()
cases = Grievance.objects.filter(channel="field_visit", recorded_by__email__startswith="field-{run}-").count()
print(found, cases)
"""


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 60)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


class Device(threading.Thread):
    """One phone back online: fetches a CSRF token, then sends its drafts in order, then resends a few."""

    def __init__(self, index: int, base: str, device: dict, category: int, gate: threading.Barrier):
        super().__init__(daemon=True)
        self.index, self.base, self.device, self.category, self.gate = index, base, device, category, gate
        self.statuses: dict[str, int] = {}
        self.failures: list[str] = []
        self.picture = photo()

    def headers(self, cookie: str, token: str = "") -> dict[str, str]:
        return {
            # The notional proxy terminated TLS; production cookies are Secure.
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": f"198.19.{self.index // 250}.{self.index % 250 + 1}",
            "Referer": f"https://{self.base.split('://', 1)[1]}workspace/field/",
            "Cookie": cookie,
            **({"X-CSRFToken": token} if token else {}),
        }

    def send(self, session: requests.Session, cookie: str, token: str, n: int, reference: str) -> None:
        recorded_at = datetime.now(UTC) - timedelta(hours=2) + timedelta(minutes=n)
        data = {
            "device": self.device["device"],
            "reference": reference,
            "recorded_at": recorded_at.isoformat(),
            "category": str(self.category),
            "description": f"Recorded at the market, draft {n} of device {self.index}. ทดสอบ",
            "contact_preference": "none",
            "confidentiality": "standard",
            "anonymous": "on",
        }
        files = {"attachments": ("card.jpg", self.picture, "image/jpeg")} if n % PHOTO_EVERY == 0 else None
        try:
            response = session.post(
                self.base + "workspace/field/sync/",
                data=data,
                files=files,
                headers=self.headers(cookie, token),
                timeout=120,
            )
        except requests.RequestException as exc:
            self.failures.append(f"{reference}: {exc}")
            return
        status = (
            response.json().get("status")
            if response.headers.get("Content-Type", "").startswith("application/json")
            else None
        )
        if status in ("created", "already"):
            self.statuses[status] = self.statuses.get(status, 0) + 1
        else:
            self.failures.append(f"{reference}: HTTP {response.status_code} {response.text[:200]}")

    def run(self) -> None:
        session = requests.Session()
        cookie = self.device["cookie"]
        try:
            state = session.get(self.base + "workspace/field/state/", headers=self.headers(cookie), timeout=30)
            token = state.json()["csrf"]
        except (requests.RequestException, ValueError, KeyError) as exc:
            self.failures.append(f"state: {exc}")
            self.gate.wait()
            return
        cookie = f"{cookie}; csrftoken={state.cookies.get('csrftoken') or session.cookies.get('csrftoken')}"
        self.gate.wait()
        references = self.device["references"]
        for n, reference in enumerate(references):
            self.send(session, cookie, token, n, reference)
        # A sync resumed after lost answers sends the same drafts again.
        for n, reference in enumerate(references[:RESEND_PER_DEVICE]):
            self.send(session, cookie, token, n, reference)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drafts", type=int, default=500)
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn sync workers")
    args = parser.parse_args()
    if args.drafts % args.devices:
        raise BenchError("--drafts must be a multiple of --devices")
    per_device = args.drafts // args.devices

    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    ensure_database(database_url)
    check_redis(redis_url)

    with tempfile.TemporaryDirectory(prefix="suara-offline-") as scratch:
        scratch_dir = Path(scratch)
        env = portal_env(database_url, redis_url, scratch_dir)
        env["TRUSTED_PROXY_COUNT"] = "1"
        say("Preparing the database (migrate, static files, demo data)…")
        prepare_portal(env, scratch_dir)
        say(f"Reserving {per_device} references on each of {args.devices} devices…")
        setup = json.loads(manage_shell(env, SETUP.format(devices=args.devices, per_device=per_device)))
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
            gate = threading.Barrier(args.devices + 1)
            devices = [Device(i, web.url, device, setup["category"], gate) for i, device in enumerate(setup["devices"])]
            for device in devices:
                device.start()
            gate.wait()
            started = time.perf_counter()
            for device in devices:
                device.join()
            seconds = time.perf_counter() - started
        finally:
            worker.stop()
            web.stop()

        references = [ref for device in setup["devices"] for ref in device["references"]]
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as file:
            file.write("\n".join(references))
        found, cases = map(int, manage_shell(env, COUNT.format(path=file.name, run=setup["run"])).split())
        os.unlink(file.name)

    failures = [failure for device in devices for failure in device.failures]
    created = sum(device.statuses.get("created", 0) for device in devices)
    already = sum(device.statuses.get("already", 0) for device in devices)
    lost = len(references) - found
    duplicates = cases - found
    if failures:
        say(f"{len(failures)} sends failed, e.g. {failures[:3]}")
    say(f"answers: created={created} already={already} (resends expected: {RESEND_PER_DEVICE * args.devices})")
    ok = found == len(references) and created == found and lost == 0 and duplicates == 0
    say(
        f"goal all created exactly once in under {SECONDS_GOAL}s: {'met' if ok and seconds < SECONDS_GOAL else 'MISSED'}"
    )
    print(
        f"offline_sync: drafts={len(references)} devices={args.devices} seconds={seconds:.1f} "
        f"created={found} lost={lost} duplicates={duplicates}"
    )
    return 0 if ok and not failures else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        sys.exit(f"offline_sync: {error}")
