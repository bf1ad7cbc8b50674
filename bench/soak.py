"""A soak: mixed traffic through the production topology for N minutes, then what leaked or was lost.

Starts the topology as ``make prod-up`` does (or drives a running one given
``--url``), sends a steady mix through nginx over HTTPS — public pages,
anonymous lodging with rotating client addresses, tracking with the PIN, an
officer reading the queue and cases and writing notes — while holding
``--sockets`` websockets open on case streams, and stops what it started.

Measured: requests and errors per kind with their p95, cases lodged but not
stored (lost), websockets that dropped, the resident memory of every node at
the end of the warm-up and at the end (growth: the largest per-process
difference), and the age of the oldest waiting task sampled from the metrics
exporter every two seconds (p95). The last line::

    soak: minutes=M requests=N errors=E lost=L p95_ms=P rss_growth_mb=G queue_age_p95_s=Q

    .venv/bin/python bench/soak.py --minutes 30            # the issue's run
    .venv/bin/python bench/soak.py --minutes 2 --sockets 300 --rate 8   # a short one
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import sys
import threading
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if not entry or Path(entry).resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import httpx  # noqa: E402
import websockets  # noqa: E402

from bench.pages import BenchError, describe_machine  # noqa: E402
from bench.prod_check import (  # noqa: E402
    ACTORS,
    AGENCY,
    OFFICER,
    Browser,
    form_for,
    form_with,
    lodge,
    manage,
    sign_in_officer,
    sql,
)
from bench.topology import Topology, alive, from_environment, insecure  # noqa: E402

WEIGHTS = {"page": 50, "track": 20, "staff": 20, "lodge": 10}
PAGES = ["/", "/grievances/new/", "/grievances/track/", "/consultations/"]
SOCKETS_PER_SESSION = 15  # under SUARA_WS_MAX_PER_SESSION (20 per process)
OPEN_ATTEMPTS = 3


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Load:
    def __init__(self, topology: Topology, category: int, officer: Browser):
        self.topology, self.category, self.officer = topology, category, officer
        self.base = topology.url.rstrip("/")
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: list[str] = []
        self.lodged: list[tuple[str, str]] = []  # (reference, pin)
        self.address = 0
        self.lock = threading.Lock()
        self.marker = f"soak-{int(time.time())}"

    def next_address(self) -> str:
        # A notional person per lodging, each its own loopback address: the
        # portal allows ten lodgings per address and hour, as in production.
        with self.lock:
            self.address += 1
            n = self.address
        return f"127.1.{n // 250 % 250}.{n % 250 + 1}"

    def one(self, kind: str) -> None:
        started = time.perf_counter()
        ok = False
        try:
            ok = getattr(self, f"do_{kind}")()
        except (httpx.HTTPError, AttributeError, StopIteration, KeyError, ValueError) as exc:
            self.samples.append(f"{kind}: {type(exc).__name__} {exc}"[:200])
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            if ok:
                self.latencies[kind].append(elapsed)
            else:
                self.errors[kind] += 1

    def do_page(self) -> bool:
        # A visitor follows the redirect to their language's address ("/" → "/en/"), as a browser does.
        browser = Browser(self.base, "127.0.0.5")
        path = random.choice(PAGES)
        response = browser.get(path, follow_redirects=True)
        if response.status_code != 200:
            self.samples.append(f"page {path}: HTTP {response.status_code}")
        return response.status_code == 200

    def do_lodge(self) -> bool:
        browser = Browser(self.base, self.next_address())
        response = lodge(browser, self.category, f"{self.marker}: payment late. ทดสอบ", attach=False)
        if response.status_code != 302:
            self.samples.append(f"lodge: HTTP {response.status_code}")
            return False
        ack = response.headers["location"]
        reference = re.search(r"/grievances/(SU-[0-9A-Z-]+)/acknowledgement/", ack).group(1)
        pin = re.search(r'data-testid="pin"[^>]*>\s*([0-9]{6})', browser.get(ack).text).group(1)
        with self.lock:
            self.lodged.append((reference, pin))
        return True

    def track(self, reference: str, pin: str, source: str) -> Browser | None:
        browser = Browser(self.base, source)
        page = browser.get("/grievances/track/")
        form = form_with(page.text, "pin")
        response = browser.post_form("/grievances/track/", form, {"reference": reference, "pin": pin})
        return browser if response.status_code == 302 else None

    def do_track(self) -> bool:
        if not self.lodged:
            return self.do_page()
        reference, pin = random.choice(self.lodged)
        browser = self.track(reference, pin, "127.0.0.6")
        return browser is not None and browser.get(f"/grievances/{reference}/").status_code == 200

    def do_staff(self) -> bool:
        if not self.lodged or random.random() < 0.4:
            return self.officer.get(f"/workspace/queue/{AGENCY}/").status_code == 200
        reference, _ = random.choice(self.lodged)
        path = f"/workspace/cases/{reference}/"
        page = self.officer.get(path)
        if page.status_code != 200:
            return False
        form = form_for(page.text, f"{path}note/")
        if form is None or random.random() < 0.5:
            return True
        field = next(k for k in form["fields"] if k.endswith("body"))
        response = self.officer.post_form(path, form, {field: "Checked with the payments unit."})
        return response.status_code in (302, 303)


class Sockets(threading.Thread):
    """``count`` websockets on case streams, held open; how many opened and how many dropped."""

    def __init__(self, load: Load, count: int):
        super().__init__(daemon=True)
        self.load, self.count = load, count
        self.opened = 0
        self.dropped = 0
        self.open_retries = 0
        self.never_opened = 0
        self.received = 0
        self.stop_event = threading.Event()
        self.ready = threading.Event()

    def run(self) -> None:
        asyncio.run(self.main())

    async def hold(self, url: str, cookie: str, source: str) -> None:
        # As the page's script does: a socket that cannot open (a handshake timing out while a
        # crowd arrives) is tried again after a pause; one that closes once open is a drop.
        for attempt in range(OPEN_ATTEMPTS):
            opened = False
            try:
                async with websockets.connect(
                    url,
                    ssl=insecure(),
                    origin=self.load.base,
                    additional_headers={"Cookie": cookie},
                    open_timeout=30,
                    local_addr=(source, 0),  # each notional person from an address of its own
                ) as socket:
                    opened = True
                    self.opened += 1
                    while not self.stop_event.is_set():
                        try:
                            await asyncio.wait_for(socket.recv(), timeout=1)
                            self.received += 1
                        except TimeoutError:
                            continue
                    return
            except (websockets.WebSocketException, OSError, TimeoutError):
                if opened:
                    self.dropped += 1
                    return
                self.open_retries += 1
                await asyncio.sleep(2 * (attempt + 1))
        self.never_opened += 1

    async def main(self) -> None:
        sessions = []
        needed = max(1, -(-self.count // SOCKETS_PER_SESSION))
        for index in range(needed):
            while len(self.load.lodged) <= index:
                await asyncio.to_thread(self.load.do_lodge)
            reference, pin = self.load.lodged[index]
            source = f"127.2.{index // 250}.{index % 250 + 1}"
            browser = await asyncio.to_thread(self.load.track, reference, pin, source)
            if browser is not None:
                sessions.append((reference, browser.cookie_header(), source))
        tasks = []
        wss = self.load.base.replace("https", "wss")
        for number in range(self.count):
            reference, cookie, source = sessions[number % len(sessions)]
            tasks.append(asyncio.create_task(self.hold(f"{wss}/ws/grievances/{reference}/", cookie, source)))
            if number % 50 == 49:
                await asyncio.sleep(0.5)  # a crowd arriving, not a single burst
        self.ready.set()
        await asyncio.gather(*tasks)


def rss_by_node(topology: Topology) -> dict[str, float]:
    """Resident memory (MB) of each process of each node, keyed node/pid."""
    found = {}
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                text = (entry / "stat").read_text()
                table[int(entry.name)] = int(text[text.rindex(")") + 2 :].split()[1])
            except (OSError, ValueError):
                continue
    for node in topology.nodes:
        if not alive(node.pid):
            continue
        family, frontier = {node.pid}, [node.pid]
        while frontier:
            parent = frontier.pop()
            children = [pid for pid, ppid in table.items() if ppid == parent and pid not in family]
            family.update(children)
            frontier.extend(children)
        for pid in family:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                kb = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
            except (OSError, AttributeError):
                continue
            found[f"{node.name}/{pid}"] = kb / 1024
    return found


def queue_age(metrics_url: str) -> float | None:
    try:
        with urllib.request.urlopen(metrics_url, timeout=5) as response:
            text = response.read().decode()
    except OSError:
        return None
    match = re.search(r"^suara_task_queue_oldest_age_seconds (\S+)$", text, re.M)
    return float(match.group(1)) if match else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--rate", type=float, default=10, help="requests per second, all kinds together")
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--url", help="drive a running topology (from `make prod-up`) instead of starting one")
    args = parser.parse_args()

    started_here = args.url is None
    topology = from_environment() if started_here else Topology.load()
    if topology is None:
        print("error: --url given but no running topology found (make prod-up)", file=sys.stderr)
        return 2
    try:
        if started_here:
            print("soak: starting the topology", flush=True)
            topology.up()
        print(f"soak: {describe_machine()}; shared with other work while measured", flush=True)
        actors = json.loads(
            manage(topology, "shell", "-c", ACTORS % (OFFICER, AGENCY, AGENCY)).strip().splitlines()[-1]
        )
        officer = Browser(topology.url, "127.0.0.4")
        sign_in_officer(officer, actors["secret"])
        load = Load(topology, actors["category"], officer)
        sockets = Sockets(load, args.sockets)
        sockets.start()
        sockets.ready.wait(timeout=600)
        print(f"soak: {sockets.opened} websockets open", flush=True)

        metrics_port = topology.node("metrics").port
        metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
        duration = args.minutes * 60
        warmup = min(60.0, duration * 0.2)
        begin = time.monotonic()
        rss_start: dict[str, float] = {}
        ages: list[float] = []
        stop = threading.Event()
        kinds = [kind for kind, weight in WEIGHTS.items() for _ in range(weight)]
        interval = args.threads / args.rate

        def worker() -> None:
            next_at = time.monotonic()
            while not stop.is_set():
                load.one(random.choice(kinds))
                next_at += interval
                time.sleep(max(0.0, next_at - time.monotonic()))

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(args.threads)]
        for thread in threads:
            thread.start()
        while time.monotonic() - begin < duration:
            age = queue_age(metrics_url)
            if age is not None:
                ages.append(age)
            if not rss_start and time.monotonic() - begin >= warmup:
                rss_start = rss_by_node(topology)
            time.sleep(2)
        stop.set()
        for thread in threads:
            thread.join(timeout=90)
        rss_end = rss_by_node(topology)
        sockets.stop_event.set()
        sockets.join(timeout=30)

        time.sleep(5)  # the last acknowledgements reach the workers
        stored = int(
            sql(topology, f"SELECT count(*) FROM grievances_grievance WHERE description LIKE '{load.marker}:%'")
        )
        lost = max(0, len(load.lodged) - stored)
        requests = sum(len(v) for v in load.latencies.values()) + sum(load.errors.values())
        errors = sum(load.errors.values()) + sockets.dropped + sockets.never_opened
        everything = [ms for values in load.latencies.values() for ms in values]
        growth = [rss_end[key] - rss_start[key] for key in rss_end if key in rss_start]
        minutes = (time.monotonic() - begin) / 60
        for kind in WEIGHTS:
            values = load.latencies[kind]
            print(
                f"  {kind:6} n={len(values):5} errors={load.errors[kind]:3} "
                f"p50_ms={statistics.median(values) if values else 0:7.1f} p95_ms={percentile(values, 0.95):7.1f}"
            )
        print(f"  throughput_rps={requests / (minutes * 60):.1f} sockets_open={sockets.opened} "
              f"sockets_dropped={sockets.dropped} open_retries={sockets.open_retries} "
              f"never_opened={sockets.never_opened} live_messages={sockets.received}")  # fmt: skip
        if rss_start:
            worst = max(rss_end, key=lambda key: rss_end[key] - rss_start.get(key, rss_end[key]))
            print(f"  rss_total_mb start={sum(rss_start.values()):.0f} end={sum(rss_end.values()):.0f} worst={worst}")
        for sample in load.samples[:5]:
            print(f"  sample error: {sample}")
        print(
            f"soak: minutes={minutes:.1f} requests={requests} errors={errors} lost={lost} "
            f"p95_ms={percentile(everything, 0.95):.0f} rss_growth_mb={max(growth, default=0):.1f} "
            f"queue_age_p95_s={percentile(ages, 0.95):.1f}",
            flush=True,
        )
        return 0
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if started_here:
            topology.down()


if __name__ == "__main__":
    sys.exit(main())
