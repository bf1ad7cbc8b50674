"""SMS benchmark: inbound texts through the Twilio webhook, and notices sent by one task worker.

Inbound: the production sketch (gunicorn sync workers, PostgreSQL, Redis)
takes signed Twilio webhooks from concurrent simulated phones. Each phone
lodges a grievance the way a person would (HELP, a theme, a category, a
description, DONE, anonymous, confirm: seven texts), and one text in ten is
sent twice with the same MessageSid, as a gateway retrying would: the repeat
must be refused (403) and change nothing. Afterwards every message id and
every reference a phone was given is looked up in the database.

Outbound: with the web server stopped, notices are queued and one
``db_worker`` sends them to a local fake gateway speaking Twilio's REST API;
the gateway counts what arrives, and anything twice.

    .venv/bin/python bench/sms.py [--phones 600] [--clients 16] [--workers 4] [--notices 3000]

DATABASE_URL (default postgres://root@127.0.0.1:5432/suara_bench) and
REDIS_URL (default redis://127.0.0.1:6379/0) come from the environment. The
last line is:

    sms: inbound=N inbound_per_second=R outbound_per_second=R lost=L duplicates=D
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import re
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

# Run as a script, bench/ would come first on sys.path, and bench/queue.py
# would hide the standard library's queue module from everything imported.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402 - after the path fix above: it imports queue

from bench.pages import (  # noqa: E402
    BIN,
    HOST,
    BenchError,
    Server,
    check_redis,
    ensure_database,
    free_port,
    gunicorn_command,
    manage_shell,
    portal_env,
    prepare_portal,
    say,
)
from portal.lib.sms import twilio  # noqa: E402 - needs no settings: the signature is plain HMAC

DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/suara_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
INBOUND_GOAL, OUTBOUND_GOAL = 200, 100
TOKEN = "bench-auth-token"
ACCOUNT = "AC" + "b" * 32
REFERENCE = re.compile(r"SU-[0-9A-Z]{4}-[0-9A-Z]{4}")
MESSAGE = re.compile(r"<Message>(.*?)</Message>", re.S)


class FixedPortServer(Server):
    """A server on a port chosen beforehand: the webhook's signed address must be known to the portal."""

    def start(self) -> None:
        port = self.port
        super().start()
        if port:
            self.port = port


class Phone(threading.Thread):
    """Simulated phones texting the line one after another, each lodging one grievance."""

    def __init__(self, index: int, url: str, phones: list[int], gate: threading.Barrier, run: int):
        super().__init__(daemon=True)
        self.index, self.url, self.phones, self.gate, self.run_id = index, url, phones, gate, run
        self.sids: list[str] = []
        self.references: list[str] = []
        self.failures: list[str] = []
        self.replayed_accepted = 0
        self.requests = 0

    def post(self, session, fields) -> requests.Response:
        signature = twilio.signature(TOKEN, self.url, fields)
        self.requests += 1
        return session.post(self.url, data=fields, headers={"X-Twilio-Signature": signature}, timeout=60)

    def run(self) -> None:
        session = requests.Session()
        try:
            self.gate.wait()
        except threading.BrokenBarrierError:
            return
        for phone in self.phones:
            # Numbers and ids of this run only: the database may hold an earlier run's.
            number = f"+66{self.run_id:06d}{phone:05d}"
            script = ["HELP", "1", "1", f"Benchmark {phone}: my payment did not arrive. ทดสอบ", "DONE", "1", "1"]
            last = ""
            for step, body in enumerate(script):
                sid = f"SM{self.run_id:010d}{phone:011d}{step:011d}"
                fields = {"From": number, "To": "+6620000000", "Body": body, "MessageSid": sid, "AccountSid": ACCOUNT}
                try:
                    response = self.post(session, fields)
                    if response.status_code != 200:
                        self.failures.append(f"{sid}: HTTP {response.status_code}")
                        break
                    self.sids.append(sid)
                    last = response.text
                    if (phone + step) % 10 == 0:  # the gateway retries: refused, nothing changes
                        if self.post(session, fields).status_code != 403:
                            self.replayed_accepted += 1
                except requests.RequestException as exc:
                    self.failures.append(f"{sid}: {exc}")
                    break
            found = REFERENCE.search(" ".join(MESSAGE.findall(last)))
            if found:
                self.references.append(found.group(0))
            else:
                self.failures.append(f"phone {phone}: no reference in {last[:200]!r}")


def count_stored(env, sids: list[str], references: list[str]) -> tuple[int, int]:
    """(messages stored of ``sids``, distinct grievances of ``references``), asked through Django."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump({"sids": sids, "refs": references}, file)
    code = (
        "import json\n"
        "from grievances.models import Grievance\n"
        "from grievances.sms.models import Message\n"
        f"data = json.load(open({file.name!r}))\n"
        "sids, refs = data['sids'], data['refs']\n"
        "m = sum(Message.objects.filter(direction='in', gateway='twilio', gateway_id__in=sids[i:i+1000]).count()"
        " for i in range(0, len(sids), 1000))\n"
        "g = sum(Grievance.objects.filter(reference__in=refs[i:i+1000]).count() for i in range(0, len(refs), 1000))\n"
        "print(m, g)\n"
    )
    try:
        messages, grievances = manage_shell(env, code).split()
    finally:
        os.unlink(file.name)
    return int(messages), int(grievances)


class FakeGateway:
    """Twilio's REST API, locally: takes every message, remembers each body once, counts repeats."""

    def __init__(self):
        self.bodies: dict[str, int] = {}
        self.requests = 0
        self.first_at = self.last_at = 0.0
        self.lock = threading.Lock()
        gateway = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body are two writes: without this, Nagle and delayed ACKs add 40 ms to each.
            disable_nagle_algorithm = True

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                with gateway.lock:
                    now = time.perf_counter()
                    if form.get("Body", "").startswith("Bench notice "):
                        gateway.first_at = gateway.first_at or now
                        gateway.last_at = now
                    body = form.get("Body", "")
                    # Only the benchmark's notices count (the demo data queues acknowledgements of its own).
                    if body.startswith("Bench notice "):
                        gateway.bodies[body] = gateway.bodies.get(body, 0) + 1
                    gateway.requests += 1
                    sid = f"SM{gateway.requests:032d}"
                answer = json.dumps({"sid": sid, "status": "queued"}).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer((HOST, 0), Handler)
        self.url = f"http://{HOST}:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def received(self) -> int:
        with self.lock:
            return len(self.bodies)


def inbound(args, env, scratch_dir) -> tuple[int, float, int, int]:
    port = free_port()
    env = dict(env, SITE_URL=f"http://{HOST}:{port}")
    web = FixedPortServer(
        "gunicorn",
        gunicorn_command(args.workers, f"{HOST}:{port}"),
        env,
        scratch_dir / "gunicorn.log",
        port=port,
        path="/healthz",
    )
    try:
        web.start()
        web.wait_ready()
        url = f"http://{HOST}:{port}/sms/twilio/inbound/"
        phones = list(range(args.phones))
        gate = threading.Barrier(args.clients + 1)
        run = int(time.time()) % 1_000_000
        clients = [Phone(i, url, phones[i :: args.clients], gate, run) for i in range(args.clients)]
        for client in clients:
            client.start()
        gate.wait()
        started = time.perf_counter()
        for client in clients:
            client.join()
        seconds = time.perf_counter() - started
    finally:
        web.stop()
    sids = [sid for client in clients for sid in client.sids]
    references = [ref for client in clients for ref in client.references]
    failures = [failure for client in clients for failure in client.failures]
    if failures:
        say(f"{len(failures)} texts were not answered as expected, e.g. {failures[:3]}")
    stored, lodged = count_stored(env, sids, references)
    lost = (len(sids) - stored) + (len(references) - lodged) + len(failures)
    duplicates = sum(client.replayed_accepted for client in clients) + (len(references) - len(set(references)))
    say(
        f"  inbound: {len(sids)} texts ({sum(c.requests for c in clients)} requests with the replays) in {seconds:.1f}s"
    )
    return len(sids), len(sids) / seconds if seconds else 0.0, lost, duplicates


def outbound(args, env, scratch_dir) -> tuple[float, int, int]:
    gateway = FakeGateway()
    env = dict(
        env,
        SMS_BACKEND="portal.lib.sms.twilio.TwilioBackend",
        TWILIO_API_URL=gateway.url,
        TWILIO_ACCOUNT_SID=ACCOUNT,
        TWILIO_FROM="+6620000000",
    )
    run = str(int(time.time()))
    code = (
        "from django.db import transaction\n"
        "from grievances.models import Grievance\n"
        "from grievances.sms import outbound\n"
        "case = Grievance.objects.order_by('pk').first()\n"
        "with transaction.atomic():\n"
        f"    for i in range({args.notices}):\n"
        f"        m = outbound.queue(number=f'+6681{{i:07d}}', body=f'Bench notice {run}-{{i}}', kind='bench',"
        f" grievance=case, key=f'bench:{run}:{{i}}')\n"
        "        outbound.deliver_message.enqueue(m.pk)\n"
        "print('ok')\n"
    )
    say(f"  queueing {args.notices} notices…")
    manage_shell(env, code)
    worker = Server(
        "db_worker",
        [str(BIN / "python"), "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.05"],
        env,
        scratch_dir / "worker.log",
    )
    worker.start()
    try:
        deadline = time.monotonic() + max(120, args.notices / 10)
        while gateway.received() < args.notices and time.monotonic() < deadline:
            if worker.process.poll() is not None:
                raise BenchError(f"the worker exited:\n{(scratch_dir / 'worker.log').read_text()[-2000:]}")
            time.sleep(0.2)
        time.sleep(1)  # anything sent twice arrives now
    finally:
        worker.stop()
        gateway.server.shutdown()
    received = gateway.received()
    seconds = gateway.last_at - gateway.first_at
    duplicates = sum(count - 1 for count in gateway.bodies.values())
    say(f"  outbound: {received} of {args.notices} notices reached the gateway in {seconds:.1f}s")
    return (received / seconds if seconds else 0.0), args.notices - received, duplicates


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phones", type=int, default=600, help="simulated phones, seven texts each")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn sync workers")
    parser.add_argument("--notices", type=int, default=3000)
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    ensure_database(database_url)
    check_redis(redis_url)
    with tempfile.TemporaryDirectory(prefix="suara-sms-") as scratch:
        scratch_dir = Path(scratch)
        env = portal_env(database_url, redis_url, scratch_dir)
        # A gateway is configured (production refuses the development backends); replies go as TwiML.
        env.update(
            TWILIO_AUTH_TOKEN=TOKEN,
            SMS_BACKEND="portal.lib.sms.twilio.TwilioBackend",
            TWILIO_ACCOUNT_SID=ACCOUNT,
            TWILIO_FROM="+6620000000",
            TWILIO_API_URL="http://127.0.0.1:9",
            # Each simulated phone sends seven texts; the flood limits are not what is measured here.
            SMS_REPLIES_PER_MINUTE="1000000",
        )
        say("Preparing the database (migrate, static files, demo data)…")
        prepare_portal(env, scratch_dir)
        count, inbound_rate, lost_in, duplicates_in = inbound(args, env, scratch_dir)
        outbound_rate, lost_out, duplicates_out = outbound(args, env, scratch_dir)
    lost, duplicates = lost_in + lost_out, duplicates_in + duplicates_out
    say(f"goal inbound_per_second >= {INBOUND_GOAL}: {'met' if inbound_rate >= INBOUND_GOAL else 'MISSED'}")
    say(f"goal outbound_per_second >= {OUTBOUND_GOAL}: {'met' if outbound_rate >= OUTBOUND_GOAL else 'MISSED'}")
    say(f"goal lost = 0 and duplicates = 0: {'met' if not lost and not duplicates else 'MISSED'}")
    print(
        f"sms: inbound={count} inbound_per_second={inbound_rate:.1f} outbound_per_second={outbound_rate:.1f} "
        f"lost={lost} duplicates={duplicates}"
    )
    return 0 if count and not lost and not duplicates else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        sys.exit(f"sms: {error}")
