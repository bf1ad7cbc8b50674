"""``make prod-check``: start the production topology, lose a node of each kind mid-journey, lose nothing.

Through nginx over HTTPS and WSS, with the topology of ``bench/topology.py``:

1. the cross-role journey: an officer signs in (password and TOTP) and watches
   the queue live; a grievance is lodged anonymously with an attachment; the
   complainant tracks it with the PIN and watches the case live; the officer
   acknowledges it and asks a question, the complainant answers, the officer
   decides and the outcome letter is fetched;
   The complainant also keeps the case page open in a real Chromium
   (``bench/prod_browser.py``): the question and the decision appear on it
   without a reload, and the letter is downloaded from it;
2. meanwhile one gunicorn node is killed (before the lodging), the uvicorn
   node under the browser's websocket (the page and the other sockets
   reconnect and ask for what they missed) and one ``db_worker`` holding a
   task (its heartbeat stops, the reaper requeues the task within seconds and
   the other worker finishes it);
3. nothing lost: every case stored, every task done and none failed, an
   acknowledgement e-mail written for every named lodging, every live update
   the journey waits for received; twelve named lodgings from one address,
   each with a different spoofed X-Forwarded-For, are limited as one address
   (ten accepted); and a case change can be followed by its request id through
   the web, worker and websocket logs;
4. backup, drop the database and media, restore: every table and file the same;
5. everything it started is stopped, whatever happens; one summary line:

    prod-check: ok cases=N events=E mails=M live=L tasks=T ... browser=B browser_reconnects=C ...
                followed=F restored_tables=R files=F seconds=S

``browser`` counts the checks passed in Chromium (live page, question after
the lost node, decision, letter).

Exit status 0 when every check passed, 1 when one failed, 2 when the
topology could not be started. Environment: DATABASE_URL, REDIS_URL,
SUARA_VAR_DIR, PROD_PORT (see bench/topology.py).
"""

from __future__ import annotations

import argparse
import base64
import email
import hashlib
import hmac
import io
import json
import os
import random
import re
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

# bench/ must not shadow the standard library (bench/queue.py).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if not entry or Path(entry).resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import httpx  # noqa: E402
from websockets.exceptions import ConnectionClosed  # noqa: E402
from websockets.sync.client import connect  # noqa: E402

from bench.pages import BIN, ROOT, BenchError  # noqa: E402
from bench.prod_browser import BrowserUnavailable, ComplainantBrowser  # noqa: E402
from bench.topology import Topology, alive, from_environment, insecure, var_dir  # noqa: E402
from portal.lib.backup import stream  # noqa: E402

OFFICER = "officer@demo.suara.test"
DEMO_PASSWORD = "suara-demo-password"
AGENCY = "sso"


class CheckFailed(AssertionError):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def say(message: str) -> None:
    print(message, flush=True)


# --- HTML forms ------------------------------------------------------------------


class Forms(HTMLParser):
    """Every form on a page: its action and the values a browser would send by default."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "fields": {}, "files": [], "options": {}})
        if not self.forms:
            return
        form = self.forms[-1]
        if tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind == "file":
                form["files"].append(a["name"])
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    form["fields"][a["name"]] = a.get("value", "on")
                form["options"].setdefault(a["name"], []).append(a.get("value", "on"))
            elif kind != "submit":
                form["fields"][a["name"]] = a.get("value", "")
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select:
            form["options"].setdefault(self._select, []).append(a.get("value", ""))
            if "selected" in a:
                form["fields"][self._select] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            form["fields"][a["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms(html: str) -> list[dict]:
    parser = Forms()
    parser.feed(html)
    return parser.forms


def form_with(html: str, field: str) -> dict | None:
    """The form that has ``field`` (forms posting to their own page have no action)."""
    return next((f for f in forms(html) if field in f["fields"] or field in f["options"]), None)


def form_for(html: str, action_end: str) -> dict | None:
    return next((f for f in forms(html) if f["action"].rstrip("/").endswith(action_end.rstrip("/"))), None)


# --- TOTP (RFC 6238), as allauth checks it ---------------------------------------


def totp(secret: str, at: float | None = None) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


# --- Clients ---------------------------------------------------------------------


class Browser:
    """An HTTPS client with cookies, from a loopback address of its own (nginx sees it as the client)."""

    def __init__(self, base: str, source: str):
        self.base = base.rstrip("/")
        transport = httpx.HTTPTransport(verify=insecure(), local_address=source, retries=0)
        self.client = httpx.Client(transport=transport, base_url=self.base, timeout=60, follow_redirects=False)

    def get(self, path: str, **kwargs) -> httpx.Response:
        return self.client.get(path, **kwargs)

    def post_form(self, path: str, form: dict, values: dict, files=None, headers=None) -> httpx.Response:
        data = {**form["fields"], **values}
        data["csrfmiddlewaretoken"] = data.get("csrfmiddlewaretoken") or self.client.cookies.get("csrftoken", "")
        head = {"Referer": self.base + path, "Origin": self.base, **(headers or {})}
        action = form["action"] or path
        return self.client.post(action, data=data, files=files, headers=head)

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.client.cookies.items())


class LiveSocket(threading.Thread):
    """A websocket that reconnects when its node is lost and asks for what it missed."""

    def __init__(self, url: str, cookie: str, origin: str):
        super().__init__(daemon=True)
        self.url, self.cookie, self.origin = url, cookie, origin
        self.messages: list[dict] = []
        self.reconnects = 0
        self.opened = threading.Event()
        self.stopping = False
        self.since = time.time()

    def run(self) -> None:
        context = insecure()
        while not self.stopping:
            try:
                with connect(
                    self.url,
                    ssl=context,
                    origin=self.origin,
                    additional_headers={"Cookie": self.cookie},
                    open_timeout=10,
                ) as socket:
                    if self.opened.is_set():
                        # Back after a lost node: everything since the first connection.
                        socket.send(json.dumps({"resume": {"since": self.since - 1}}))
                    self.opened.set()
                    while not self.stopping:
                        try:
                            text = socket.recv(timeout=0.5)
                        except TimeoutError:
                            continue
                        self.messages.append(json.loads(text))
            except (ConnectionClosed, OSError) as exc:
                if self.stopping:
                    return
                self.reconnects += 1
                self.last_error = repr(exc)
                time.sleep(0.5)

    def wait_for(self, predicate, seconds: float = 20) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if any(predicate(message) for message in list(self.messages)):
                return True
            time.sleep(0.2)
        return False


def mentions(text: str):
    return lambda message: text in json.dumps(message, ensure_ascii=False)


# --- Steps -----------------------------------------------------------------------


def manage(topology: Topology, *arguments: str, env: dict | None = None, check_ok: bool = True) -> str:
    result = subprocess.run(
        [str(BIN / "python"), "manage.py", *arguments],
        cwd=ROOT,
        env=env or topology.environment(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check_ok and result.returncode != 0:
        raise CheckFailed(f"manage.py {' '.join(arguments[:2])} failed: {result.stderr.strip()[-800:]}")
    return result.stdout


ACTORS = """
import json
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db.models import Q
from grievances.models import Category
from portal.models import User
officer = User.objects.get(email=%r)
Authenticator.objects.filter(user=officer).delete()
secret = generate_totp_secret()
TOTP.activate(officer, secret)
leaf = Category.objects.filter(Q(agency__slug=%r) | Q(parent__agency__slug=%r), children__isnull=True).order_by("pk").first()
print(json.dumps({"secret": secret, "category": leaf.pk}))
"""


def sql(topology: Topology, query: str, *, database: str | None = None) -> str:
    parts = urlsplit(topology.database_url)
    env = dict(os.environ, PGHOST=parts.hostname or "", PGPORT=str(parts.port or 5432), PGUSER=parts.username or "")
    if parts.password:
        env["PGPASSWORD"] = parts.password
    return subprocess.run(
        ["psql", "-At", "-d", database or parts.path.lstrip("/"), "-c", query],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def sign_in_officer(browser: Browser, secret: str) -> None:
    page = browser.get("/accounts/login/")
    form = form_for(page.text, "/accounts/login/")
    response = browser.post_form("/accounts/login/", form, {"login": OFFICER, "password": DEMO_PASSWORD})
    check(response.status_code == 302, f"officer sign-in: HTTP {response.status_code}")
    second = response.headers["location"]
    page = browser.get(second)
    form = form_for(page.text, urlsplit(second).path)
    # A code used once is refused again: wait for a fresh period if this one is almost over.
    if time.time() % 30 > 25:
        time.sleep(31 - time.time() % 30)
    response = browser.post_form(second, form, {"code": totp(secret)})
    check(response.status_code == 302, f"second factor: HTTP {response.status_code}")
    check(browser.get(f"/workspace/queue/{AGENCY}/").status_code == 200, "the officer cannot open the queue")


PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def lodge(
    browser: Browser, category: int, text: str, *, attach: bool, headers=None, email: str | None = None
) -> httpx.Response:
    page = browser.get("/grievances/new/")
    form = form_with(page.text, "category")
    values = {
        "category": str(category),
        "description": text,
        "contact_preference": "none",
        "anonymous": "on",
        "confidentiality": "standard",
        "website": "",
    }
    if email:
        # Named, with an e-mail address: the acknowledgement goes out through a task.
        del values["anonymous"]
        values.update(contact_preference="email", contact_email=email, contact_name="Prod Check")
    files = [(form["files"][0], ("receipt.png", io.BytesIO(PNG), "image/png"))] if attach and form["files"] else None
    return browser.post_form("/grievances/new/", form, values, files=files, headers=headers)


def act(officer: Browser, reference: str, name: str, values: dict) -> bool:
    path = f"/workspace/cases/{reference}/"
    page = officer.get(path)
    form = form_for(page.text, f"/workspace/cases/{reference}/{name}/")
    if form is None:
        return False
    prefixed = {}
    for field in form["fields"] | {k: "" for k in form["options"]}:
        for suffix, value in values.items():
            if field.endswith(f"-{suffix}") or field == suffix:
                prefixed[field] = value
    response = officer.post_form(path, form, prefixed)
    check(response.status_code in (302, 303), f"{name} on {reference}: HTTP {response.status_code}")
    ACTION_REQUEST_IDS.append(response.headers.get("x-request-id", ""))
    return True


ACTION_REQUEST_IDS: list[str] = []


def follow_request_ids(topology: Topology, request_ids: list[str]) -> int:
    """How many of the journey's changes can be followed by their id through web, worker and websocket logs."""

    def ids_in(prefix: str) -> set[str]:
        found = set()
        for log in topology.directory.glob(f"{prefix}-*.log"):
            for line in log.read_text(errors="replace").splitlines():
                if line.startswith("{"):
                    try:
                        found.add(json.loads(line).get("request_id", ""))
                    except ValueError:
                        continue
        return found

    web, worker, ws = ids_in("web"), ids_in("worker"), ids_in("ws")
    return sum(1 for rid in request_ids if rid and rid in web and rid in worker and rid in ws)


def established(port: int) -> int:
    """Open TCP connections to 127.0.0.1:``port`` (nginx keeps none idle to uvicorn: one per websocket)."""
    # /proc/net/tcp writes 127.0.0.1 as 0100007F (IPv4) or …FFFF00000100007F (IPv4-mapped IPv6);
    # the address matters: another program's outgoing connection may use the same port number.
    wanted = f":{port:04X}"
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state = fields[1], fields[3]
            if state == "01" and local.endswith("0100007F" + wanted):
                count += 1
    return count


def websockets_per_node(topology: Topology) -> dict[str, int]:
    return {n.name: established(n.port) for n in topology.nodes if n.name.startswith("ws-") and alive(n.pid)}


CANARY_SECONDS = 6


def enqueue_canary(topology: Topology) -> str:
    """The canary's id, read as soon as it is printed: on a busy machine the shell's own exit can outlast the task."""
    code = f"from portal.tasks import canary; print('canary', canary.enqueue({CANARY_SECONDS}).id, flush=True)"
    process = subprocess.Popen(
        [str(BIN / "python"), "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=topology.environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = next((line for line in process.stdout if line.startswith("canary ")), "")
    threading.Thread(target=process.wait, daemon=True).start()  # it exits on its own
    check(bool(line), "the canary task could not be enqueued")
    return line.split()[-1]


def kill_worker_mid_task(topology: Topology) -> str:
    """Enqueue a canary, kill whichever worker takes it, and see the other one finish it."""
    task_id = enqueue_canary(topology)
    deadline = time.monotonic() + 60
    holder = ""
    while time.monotonic() < deadline and not holder:
        row = sql(
            topology, f"SELECT status, worker_ids::text FROM django_tasks_database_dbtaskresult WHERE id='{task_id}'"
        )
        status, _, workers = row.partition("|")
        if status == "RUNNING":
            holder = json.loads(workers)[-1]
        check(status in ("READY", "RUNNING"), f"the canary was {status} before its worker could be killed")
        time.sleep(0.2)
    check(bool(holder), "no worker took the canary task")
    victim = next(n for n in topology.nodes if n.name.startswith("worker-") and holder.endswith(n.name))
    topology.kill(victim.name)
    killed_at = time.monotonic()
    say(f"  killed {victim.name} holding task {task_id}")
    # Its heartbeat falls silent for SUARA_TASK_HEARTBEAT_SECONDS (20), the reaper looks every 5 s,
    # the other worker takes the task up within a second and runs it (CANARY_SECONDS).
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        row = sql(
            topology, f"SELECT status, worker_ids::text FROM django_tasks_database_dbtaskresult WHERE id='{task_id}'"
        )
        if row.startswith("SUCCESSFUL"):
            workers = json.loads(row.partition("|")[2])
            check(workers[-1] != holder, "the canary finished on the worker that was killed")
            say(f"  {workers[-1]} finished it {time.monotonic() - killed_at:.0f} s after its worker was killed")
            return task_id
        time.sleep(2)
    raise CheckFailed(f"the canary task {task_id} was not finished by the other worker within 90 seconds")


def table_digests(topology: Topology) -> dict[str, str]:
    tables = sql(
        topology,
        "SELECT tablename FROM pg_tables WHERE schemaname='public' AND (tablename LIKE 'grievances_%' "
        "OR tablename LIKE 'consultations_%' OR tablename = 'portal_user') ORDER BY 1",
    ).split()
    # One query for every table: one psql, not one per table.
    query = " UNION ALL ".join(
        f"SELECT '{table}', count(*) || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t"
        for table in tables
    )
    rows = sql(topology, query).splitlines() if tables else []
    return dict(row.split("|", 1) for row in rows)


def file_digests(*roots: Path) -> dict[str, str]:
    found = {}
    for root in roots:
        for path in sorted(root.rglob("*")) if root.exists() else []:
            if path.is_file():
                found[f"{root.name}/{path.relative_to(root)}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def backup_drop_restore(topology: Topology, spent: dict) -> tuple[int, int]:
    """Back up, drop, restore, compare; ``spent`` gets the seconds of the backup and the restore."""
    env = dict(topology.environment(), BACKUP_KEY=stream.new_key())  # what `manage.py backup --new-key` prints
    media, private = var_dir() / "media", var_dir() / "private"
    before_tables, before_files = table_digests(topology), file_digests(media, private)
    # The application stops first, as docs/operations.md says; nginx stays up.
    for node in topology.nodes:
        if alive(node.pid):
            os.killpg(node.pid, signal.SIGTERM)
    time.sleep(3)
    began = time.monotonic()
    target = manage(topology, "backup", "--to", str(topology.directory / "backups"), env=env).strip().splitlines()[-1]
    spent["backup"] = time.monotonic() - began
    # (`backup --verify` is left to tests/portal: `restore` checks every part against the manifest
    # before it replaces anything.)
    name = urlsplit(topology.database_url).path.lstrip("/")
    sql(
        topology.__class__(topology.database_url.rsplit("/", 1)[0] + "/postgres", "", 0),
        f'DROP DATABASE "{name}" WITH (FORCE)',
    )
    shutil.rmtree(media, ignore_errors=True)
    shutil.rmtree(private, ignore_errors=True)
    began = time.monotonic()
    manage(topology, "restore", target, "--yes", env=env)
    spent["restore"] = time.monotonic() - began
    after_tables, after_files = table_digests(topology), file_digests(media, private)
    changed = [t for t in before_tables if before_tables[t] != after_tables.get(t)]
    check(not changed, f"tables differ after the restore: {', '.join(changed[:5])}")
    check(before_files == after_files, "media or private files differ after the restore")
    check(any(p.startswith("private/") for p in after_files), "no attachment was restored")
    return len(after_tables), len(after_files)


def journey(topology: Topology, counts: dict, browsers: list) -> None:
    base = topology.url.rstrip("/")
    origin = base
    actors = json.loads(manage(topology, "shell", "-c", ACTORS % (OFFICER, AGENCY, AGENCY)).strip().splitlines()[-1])

    officer = Browser(base, "127.0.0.2")
    sign_in_officer(officer, actors["secret"])
    queue = LiveSocket(base.replace("https", "wss") + f"/ws/workspace/queue/{AGENCY}/", officer.cookie_header(), origin)
    queue.start()
    check(queue.opened.wait(15), "the officer's queue socket did not open")

    # A gunicorn node is lost before the complainant arrives: nginx sends everyone to the other.
    topology.kill("web-1")
    say("  killed web-1")

    complainant = Browser(base, "127.0.0.3")
    text = f"prod-check {int(time.time())}: my payment of 600 baht did not arrive. ทดสอบ"
    response = lodge(complainant, actors["category"], text, attach=True)
    check(response.status_code == 302, f"lodging: HTTP {response.status_code} {response.text[:300]}")
    ack = response.headers["location"]
    counts["request_ids"] = [response.headers.get("x-request-id", "")]
    reference = re.search(r"/grievances/(SU-[0-9A-Z-]+)/acknowledgement/", ack).group(1)
    page = complainant.get(ack).text
    pin = re.search(r'data-testid="pin"[^>]*>\s*([0-9]{6})', page).group(1)
    counts["cases"] += 1
    check(queue.wait_for(mentions(reference)), "the officer's queue did not show the new case live")
    say(f"  lodged {reference}; the queue showed it live")

    tracker = Browser(base, "127.0.0.3")
    page = tracker.get("/grievances/track/")
    form = form_with(page.text, "pin")
    response = tracker.post_form("/grievances/track/", form, {"reference": reference, "pin": pin})
    check(response.status_code == 302, f"tracking with the PIN: HTTP {response.status_code}")
    case = LiveSocket(base.replace("https", "wss") + f"/ws/grievances/{reference}/", tracker.cookie_header(), origin)
    case.start()
    check(case.opened.wait(15), "the complainant's case socket did not open")

    # The complainant's own browser on the case page, live over WSS through nginx.
    sockets_before = websockets_per_node(topology)
    browser = ComplainantBrowser(base)
    browsers.append(browser)
    browser.track(reference, pin)
    browser.mark()
    counts["browser"] += 1
    sockets_after = websockets_per_node(topology)
    grew = [name for name in sockets_after if sockets_after[name] > sockets_before.get(name, 0)]
    victim = grew[0] if len(grew) == 1 else "ws-1"

    # The uvicorn node under the browser's socket is lost, with the other sockets
    # open too: every page on it comes back through the other node and catches up.
    topology.kill(victim)
    say(f"  killed {victim} (under the complainant's browser)" if grew == [victim] else f"  killed {victim}")
    act(officer, reference, "acknowledge", {})
    question = "Which bank account did you give us?"
    check(act(officer, reference, "request_information", {"body": question}), "no request_information form")
    check(case.wait_for(mentions(question), 30), "the question did not reach the complainant live")
    check(browser.shows(question), "the question did not appear on the complainant's open page in Chromium")
    check(browser.not_reloaded(), "the complainant's page in Chromium was reloaded to show the question")
    if grew == [victim]:
        check(browser.reconnects >= 1, "the page in Chromium did not reconnect after its uvicorn node was lost")
    counts["browser"] += 1
    say(f"  the question reached the open page in Chromium ({browser.reconnects} reconnection)")

    page = tracker.get(f"/grievances/{reference}/")
    form = next((f for f in forms(page.text) if any(k.endswith("body") for k in f["fields"])), None)
    check(form is not None, "no reply form on the complainant's case page")
    answer = "The account ending 4321."
    field = next(k for k in form["fields"] if k.endswith("body"))
    response = tracker.post_form(f"/grievances/{reference}/", form, {field: answer})
    check(response.status_code in (302, 303), f"the answer: HTTP {response.status_code}")
    officer_case = LiveSocket(
        base.replace("https", "wss") + f"/ws/workspace/cases/{reference}/", officer.cookie_header(), origin
    )
    officer_case.start()
    check(officer_case.opened.wait(15), "the officer's case socket did not open")
    act(officer, reference, "start", {})
    heard = len(case.messages)
    check(
        act(
            officer, reference, "resolve", {"decision": "upheld", "reasons": "The payment was late.", "remedy": "Paid."}
        ),
        "no resolve form",
    )
    deadline = time.monotonic() + 30
    while len(case.messages) <= heard and time.monotonic() < deadline:
        time.sleep(0.2)
    check(len(case.messages) > heard, "the decision did not reach the complainant live")
    decided = next((m["status"] for m in reversed(case.messages[heard:]) if m.get("status")), "")
    check(bool(decided), "the decision's live update carried no status")
    check(browser.status_becomes(decided), "the decision did not reach the complainant's page in Chromium")
    counts["browser"] += 1
    counts["browser_reconnects"] = browser.reconnects  # before the reload below opens a socket of its own
    letter_in_browser = browser.download_letter()
    check(
        letter_in_browser["status"] == 200 and letter_in_browser["head"] == "%PDF-",
        f"the letter from the complainant's page in Chromium: {letter_in_browser}",
    )
    counts["browser"] += 1
    check(not browser.errors, f"script errors on the complainant's page: {browser.errors[:3]}")
    letter = officer.get(f"/workspace/cases/{reference}/outcome.pdf")
    check(letter.status_code == 200 and letter.content.startswith(b"%PDF"), f"the letter: HTTP {letter.status_code}")
    counts["live"] = len(queue.messages) + len(case.messages) + len(officer_case.messages)
    counts["reconnects"] = queue.reconnects + case.reconnects + counts["browser_reconnects"]
    check(counts["reconnects"] >= 1, "no socket noticed the lost uvicorn node")
    # A spoofed X-Forwarded-For must not buy new lodgings: the proxy replaces it.
    # From an address of its own each run (the limit is ten an hour per address).
    spoofer = Browser(base, f"127.9.{random.randrange(250)}.{random.randrange(1, 250)}")
    refused = 0
    acknowledged: list[str] = []
    addresses: list[str] = []
    run = f"{random.getrandbits(32):08x}"  # this run's addresses, not an earlier run's
    for attempt in range(12):
        address = f"prod-check-{run}-{attempt}@example.test"
        response = lodge(spoofer, actors["category"], f"spoof {attempt}", attach=False,
                         headers={"X-Forwarded-For": f"203.0.113.{attempt + 1}"}, email=address)  # fmt: skip
        if response.status_code == 302:
            counts["cases"] += 1
            acknowledged.append(response.headers.get("x-request-id", ""))
            addresses.append(address)
        else:
            refused += 1
    check(
        refused == 2, f"twelve lodgings from one address with spoofed X-Forwarded-For: {12 - refused} accepted, not 10"
    )
    counts["spoof_refused"] = refused
    counts["request_ids"] += acknowledged
    # The officer's queue hears of the named lodgings too (their ids reach the websocket log).
    time.sleep(3)
    for socket in (queue, case, officer_case):
        socket.stopping = True

    counts["canary"] = kill_worker_mid_task(topology)

    # Nothing lost: the cases, their events, every task done, every e-mail written.
    stored = int(
        sql(
            topology,
            "SELECT count(*) FROM grievances_grievance WHERE description LIKE 'prod-check %' OR description LIKE 'spoof %'",
        )
    )
    check(stored >= counts["cases"], f"{counts['cases']} cases lodged, {stored} stored")
    counts["events"] = int(
        sql(
            topology,
            f"SELECT count(*) FROM grievances_caseevent e JOIN grievances_grievance g ON g.id = e.grievance_id WHERE g.reference = '{reference}'",
        )
    )
    # Due now (django-tasks-db writes 9999-01-01 for "no later than now"): a retry the task itself
    # put off (an SMS without a gateway, backing off) is not lost.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        pending = int(
            sql(
                topology,
                "SELECT count(*) FROM django_tasks_database_dbtaskresult "
                "WHERE status = 'RUNNING' OR (status = 'READY' AND (run_after <= now() OR run_after >= '9999-01-01'))",
            )
        )
        if not pending:
            break
        time.sleep(2)
    check(not pending, f"{pending} tasks still waiting")
    failed = int(sql(topology, "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'FAILED'"))
    check(failed == 0, f"{failed} tasks failed")
    counts["tasks"] = int(
        sql(topology, "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'SUCCESSFUL'")
    )
    followed = follow_request_ids(topology, counts.pop("request_ids") + ACTION_REQUEST_IDS)
    check(followed >= 1, "no case change could be followed by its request id through web, worker and websocket logs")
    counts["followed"] = followed
    # Every acknowledgement e-mail written: one per named lodging accepted. Counted by
    # recipient, not by file: the file backend puts two messages sent in the same second
    # by the same process into one file.
    recipients = mail_recipients(topology.directory / "mail")
    counts["mails"] = sum(1 for address in addresses if address in recipients)
    check(
        counts["mails"] == len(addresses),
        f"{len(addresses)} acknowledgements due, {counts['mails']} written",
    )


def mail_recipients(directory: Path) -> set[str]:
    """Every address a message in the file backend's ``directory`` was written to."""
    found = set()
    for path in directory.glob("*") if directory.exists() else []:
        # Django's file backend ends each message with a line of 79 dashes.
        for text in re.split(r"(?m)^-{79}$", path.read_text(errors="replace")):
            to = email.message_from_string(text.lstrip("\n"))["To"]
            if to:
                found.update(address.strip() for address in to.split(","))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=None, help="HTTPS port (default $PROD_PORT or 8443)")
    args = parser.parse_args()
    topology = from_environment(args.port)
    counts = {"cases": 0, "events": 0, "mails": 0, "live": 0, "tasks": 0, "browser": 0}
    browsers: list[ComplainantBrowser] = []
    started = time.monotonic()
    status = 0

    def stopped(signum, _frame):
        # Stopped from outside (CI's time limit, kill): still stop every node below.
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, stopped)
    try:
        say("prod-check: starting the topology")
        topology.up()
        say(f"  up at {topology.url} ({time.monotonic() - started:.0f} s)")
        phase = time.monotonic()
        journey(topology, counts, browsers)
        say(f"  journey done ({time.monotonic() - phase:.0f} s)")
        phase = time.monotonic()
        spent: dict[str, float] = {}
        counts["restored_tables"], counts["files"] = backup_drop_restore(topology, spent)
        say(
            f"  backup → drop → restore done ({time.monotonic() - phase:.0f} s:"
            f" backup {spent['backup']:.0f} s, restore {spent['restore']:.0f} s)"
        )
    except BenchError as exc:
        say(f"prod-check: could not start: {exc}")
        status = 2
    except KeyboardInterrupt as exc:
        say(f"prod-check: stopped ({exc or 'Ctrl-C'}); stopping the topology")
        status = 130
    except BrowserUnavailable as exc:
        say(f"prod-check: could not start the browser: {exc}")
        status = 2
    except (CheckFailed, httpx.HTTPError, subprocess.SubprocessError, AttributeError, StopIteration) as exc:
        say(f"prod-check: FAILED: {type(exc).__name__}: {exc}")
        status = 1
    except Exception as exc:  # a Playwright timeout or error in the browser part: a failed check, not a crash
        if type(exc).__module__.split(".")[0] != "playwright":
            raise
        say(f"prod-check: FAILED in Chromium: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        status = 1
    finally:
        for browser in browsers:
            try:
                browser.close()
            except Exception:  # the topology is stopped whatever the browser says
                pass
        topology.down()
    line = " ".join(f"{k}={v}" for k, v in counts.items() if k not in ("canary", "request_ids"))
    say(f"prod-check: {'ok' if status == 0 else 'failed'} {line} seconds={time.monotonic() - started:.0f}")
    return status


if __name__ == "__main__":
    sys.exit(main())
