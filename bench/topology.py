"""The production topology on one machine, from the same commands the systemd units run.

nginx (Debian's, with a self-signed certificate made at start) in front of two
gunicorn nodes and two uvicorn nodes, two ``db_worker``s, the scheduler and the
metrics exporter, on the PostgreSQL and Redis named by DATABASE_URL and
REDIS_URL. ``make prod-up`` / ``make prod-down`` / ``make prod-check`` and
``bench/soak.py`` start it from here::

    .venv/bin/python bench/topology.py up      # prints https://127.0.0.1:8443/
    .venv/bin/python bench/topology.py down

State (pids, logs, configuration, certificate) lives in ``$SUARA_VAR_DIR/prod``.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

# Run as a script, bench/ is first on the path, where bench/queue.py would
# shadow the standard module: the project root goes there instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if not entry or Path(entry).resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from bench.pages import BIN, ROOT, BenchError, ensure_database, libpq_url, portal_env, run_step  # noqa: E402

DEPLOY = ROOT / "deploy"
DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/suara_prod"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/2"
READY_SECONDS = 90


def var_dir() -> Path:
    return Path(os.environ.get("SUARA_VAR_DIR") or ROOT / "var")


def state_dir() -> Path:
    return var_dir() / "prod"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_certificate(directory: Path) -> None:
    if (directory / "privkey.pem").exists():
        return
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", str(directory / "privkey.pem"), "-out", str(directory / "fullchain.pem")],
        check=True, capture_output=True,
    )  # fmt: skip


def render_nginx(
    directory: Path, *, web_ports: list[int], ws_ports: list[int], https_port: int, static_root: Path, media_root: Path
) -> Path:
    """deploy/nginx's files with this run's ports and paths; returns the main configuration file."""
    directory.mkdir(parents=True, exist_ok=True)
    make_certificate(directory)
    site = (DEPLOY / "nginx" / "suara-site.inc").read_text()
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{free_port()};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "/etc/ssl/suara/": f"{directory}/",
        "/srv/suara/var/static/": f"{static_root}/",
        "/srv/suara/media/": f"{media_root}/",
    }
    for old, new in replacements.items():
        if old not in site:
            raise BenchError(f"deploy/nginx/suara-site.inc no longer contains {old!r}; update bench/topology.py")
        site = site.replace(old, new)
    (directory / "suara-site.inc").write_text(site)
    upstreams = (DEPLOY / "nginx" / "suara.conf").read_text()
    upstreams = re.sub(r"(?m)^\s*server 127\.0\.0\.1:\d+ .*\n", "", upstreams)
    web = "".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;\n" for port in web_ports)
    ws = "".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;\n" for port in ws_ports)
    upstreams = upstreams.replace("upstream suara_web {\n", "upstream suara_web {\n" + web)
    upstreams = upstreams.replace("upstream suara_ws {\n", "upstream suara_ws {\n" + ws)
    upstreams = upstreams.replace("/etc/nginx/suara-site.inc", str(directory / "suara-site.inc"))
    main = directory / "nginx.conf"
    main.write_text(
        f"""worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    access_log {directory}/nginx-access.log;
    client_body_temp_path {directory}/tmp-body;
    proxy_temp_path {directory}/tmp-proxy;
    fastcgi_temp_path {directory}/tmp-fastcgi;
    uwsgi_temp_path {directory}/tmp-uwsgi;
    scgi_temp_path {directory}/tmp-scgi;
{upstreams}
}}
"""
    )
    return main


def unit_command(unit: str, *, port_in: str = "%i", instance: str | None = None) -> list[str]:
    """The ExecStart of a deploy/systemd unit, with this checkout's virtualenv and ``{port}`` for the instance."""
    text = (DEPLOY / "systemd" / unit).read_text()
    line = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    command = line.removeprefix("ExecStart=").replace("/opt/suara/bin/", f"{BIN}/")
    command = command.replace("%H", socket.gethostname())
    if instance is not None:
        command = command.replace("%i", instance)
    command = command.replace(port_in, "127.0.0.1:{port}" if ":" in port_in else "{port}")
    return command.split()


@dataclass
class Node:
    name: str
    command: list[str]
    env: dict[str, str]
    port: int | None = None
    pid: int | None = None


@dataclass
class Topology:
    database_url: str
    redis_url: str
    https_port: int
    directory: Path = field(default_factory=state_dir)
    nodes: list[Node] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}/"

    def environment(self) -> dict[str, str]:
        env = portal_env(self.database_url, self.redis_url, var_dir())
        env.update(
            ALLOWED_HOSTS="127.0.0.1,localhost",
            CSRF_TRUSTED_ORIGINS=f"https://127.0.0.1:{self.https_port},https://localhost:{self.https_port}",
            SITE_URL=self.url.rstrip("/"),
            TRUSTED_PROXY_COUNT="1",
            SECURE_SSL_REDIRECT="true",
            SECURE_HSTS_SECONDS="0",  # a self-signed certificate on loopback: no lasting promise
            LOG_LEVEL="INFO",
            LOG_FORMAT="json",
            EMAIL_URL=f"file:///{self.directory / 'mail'}",
            PROMETHEUS_MULTIPROC_DIR=str(self.directory / "metrics"),
            SECRET_KEY=self.secret_key(),
            SUARA_DATA_KEYS=self.data_keys(),
        )
        return env

    def secret_key(self) -> str:
        path = self.directory / "secret_key"
        if not path.exists():
            path.write_text(os.urandom(48).hex())
            path.chmod(0o600)
        return path.read_text().strip()

    def data_keys(self) -> str:
        path = self.directory / "data_keys"
        if not path.exists():
            path.write_text("topology:" + base64.b64encode(os.urandom(32)).decode())
            path.chmod(0o600)
        return path.read_text().strip()

    def plan(self) -> None:
        env = self.environment()
        ws_env = dict(env, SUARA_ASGI="1")
        self.nodes = [
            Node("web-1", unit_command("suara-web@.service"), env, free_port()),
            Node("web-2", unit_command("suara-web@.service"), env, free_port()),
            Node("ws-1", unit_command("suara-ws@.service"), ws_env, free_port()),
            Node("ws-2", unit_command("suara-ws@.service"), ws_env, free_port()),
            Node("worker-1", unit_command("suara-worker@.service", instance="worker-1"), env),
            Node("worker-2", unit_command("suara-worker@.service", instance="worker-2"), env),
            Node("scheduler", unit_command("suara-scheduler.service"), env),
            Node("metrics", unit_command("suara-metrics.service", port_in="127.0.0.1:9108"), env, free_port()),
        ]

    def start_node(self, node: Node) -> None:
        command = [part.replace("{port}", str(node.port)) for part in node.command]
        log = (self.directory / f"{node.name}.log").open("a")
        process = subprocess.Popen(
            command, cwd=ROOT, env=node.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        node.pid = process.pid

    def up(self, *, prepare: bool = True) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "metrics").mkdir(exist_ok=True)
        for stale in (self.directory / "metrics").glob("*.db"):
            stale.unlink()
        if shutil.which("nginx") is None:
            raise BenchError("nginx is not installed; apt-get install nginx")
        ensure_database(self.database_url)
        self.plan()
        env = self.environment()
        if prepare:
            self.prepare(env)
        for node in self.nodes:
            self.start_node(node)
        conf = render_nginx(
            self.directory / "nginx",
            web_ports=[n.port for n in self.nodes if n.name.startswith("web-")],
            ws_ports=[n.port for n in self.nodes if n.name.startswith("ws-")],
            https_port=self.https_port,
            static_root=var_dir() / "static",
            media_root=Path(env.get("MEDIA_ROOT") or var_dir() / "media"),
        )
        subprocess.run(["nginx", "-c", str(conf), "-p", str(conf.parent)], check=True, capture_output=True)
        self.save()
        self.wait_ready()

    def prepare(self, env: dict[str, str]) -> None:
        """Migrate; collect static files and load the demo data only when not done yet (both are slow)."""
        manage = [str(BIN / "python"), "manage.py"]
        run_step("migrate", manage + ["migrate", "--noinput", "-v", "0"], env, self.directory / "migrate.log")
        manifest = var_dir() / "static" / "staticfiles.json"
        sources = [path for folder in ("static", "portal", "grievances", "consultations", "home")
                   for path in (ROOT / folder).rglob("static/**/*") if path.is_file()]  # fmt: skip
        sources += [path for path in (ROOT / "static").rglob("*") if path.is_file()]
        newest = max((path.stat().st_mtime for path in sources), default=0)
        if not manifest.exists() or manifest.stat().st_mtime < newest:
            collect = manage + ["collectstatic", "--noinput", "-v", "0"]
            run_step("collectstatic", collect, env, self.directory / "collectstatic.log")
        marker = self.directory / f"seeded-{self.database_url.rsplit('/', 1)[-1]}"
        if not marker.exists() or not demo_data_present(self.database_url):
            # seed_demo refuses production; same database, development settings.
            seed = manage + ["seed_demo", "--quiet-accounts"]
            run_step("seed_demo", seed, dict(env, DJANGO_ENV="development"), self.directory / "seed_demo.log")
            marker.touch()

    def nginx_pid(self) -> int | None:
        try:
            return int((self.directory / "nginx" / "nginx.pid").read_text())
        except (OSError, ValueError):
            return None

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_SECONDS
        context = insecure()
        while time.monotonic() < deadline:
            dead = [n.name for n in self.nodes if not alive(n.pid)]
            if dead:
                raise BenchError(f"{', '.join(dead)} exited; see {self.directory}/<name>.log")
            try:
                web_ok = all(
                    http_ok(f"http://127.0.0.1:{n.port}/healthz", None, host=True)
                    for n in self.nodes
                    if n.name.startswith(("web-", "ws-"))
                )
                proxy_ok = http_ok(self.url + "healthz", context)
                if web_ok and proxy_ok:
                    return
            except OSError:
                pass
            time.sleep(1)
        raise BenchError(f"the topology did not answer within {READY_SECONDS}s; logs in {self.directory}")

    def save(self) -> None:
        state = {
            "url": self.url,
            "https_port": self.https_port,
            "database_url": self.database_url,
            "redis_url": self.redis_url,
            "nodes": [{"name": n.name, "pid": n.pid, "port": n.port, "command": n.command} for n in self.nodes],
            "nginx_pid": self.nginx_pid(),
        }
        (self.directory / "topology.json").write_text(json.dumps(state, indent=2))

    @classmethod
    def load(cls) -> Topology | None:
        path = state_dir() / "topology.json"
        if not path.exists():
            return None
        state = json.loads(path.read_text())
        topology = cls(state["database_url"], state["redis_url"], state["https_port"])
        env = topology.environment()
        topology.nodes = [
            Node(
                n["name"],
                n["command"],
                dict(env, SUARA_ASGI="1") if n["name"].startswith("ws-") else env,
                n["port"],
                n["pid"],
            )
            for n in state["nodes"]
        ]
        return topology

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    def kill(self, name: str, *, wait: float = 15) -> None:
        """Lose a node the hard way: SIGKILL to its whole process group, no goodbye.

        Returns once it is gone: SIGKILL is only delivered when a process next
        runs, and on a busy machine a dying node's listening socket goes on
        taking connections for a moment (nginx would send it a request that
        then fails). "Gone" is its port refusing connections and its leader dead.
        """
        node = self.node(name)
        kill_group(node.pid, signal.SIGKILL)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and (alive(node.pid) or port_open(node.port)):
            time.sleep(0.1)

    def down(self) -> None:
        pid = self.nginx_pid()
        if pid:
            kill_group(pid, signal.SIGQUIT, group=False)
        for node in self.nodes:
            kill_group(node.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(alive(n.pid) for n in self.nodes):
            time.sleep(0.3)
        for node in self.nodes:
            kill_group(node.pid, signal.SIGKILL)
        (self.directory / "topology.json").unlink(missing_ok=True)


def kill_group(pid: int | None, signum: int, *, group: bool = True) -> None:
    if not pid:
        return
    try:
        if group:
            os.killpg(pid, signum)  # each node was started in a session of its own
        else:
            os.kill(pid, signum)
    except ProcessLookupError:
        pass


def demo_data_present(database_url: str) -> bool:
    """The demo officer is in the database (a database dropped and made again since is not seeded)."""
    import psycopg

    try:
        with psycopg.connect(libpq_url(database_url), connect_timeout=5) as connection:
            row = connection.execute("SELECT 1 FROM portal_user WHERE email = 'officer@demo.suara.test'").fetchone()
    except psycopg.Error:
        return False
    return row is not None


def port_open(port: int | None) -> bool:
    if not port:
        return False
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except OSError:
        return True


def insecure() -> ssl.SSLContext:
    # Our own self-signed certificate, made a moment ago.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def http_ok(url: str, context, host: bool = False) -> bool:
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=5, context=context) as response:
            return response.status == 200
    except urllib.error.HTTPError as exc:
        return exc.code == 200
    except (OSError, ValueError):
        return False


def from_environment(port: int | None = None) -> Topology:
    return Topology(
        os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        os.environ.get("REDIS_URL", DEFAULT_REDIS_URL),
        port or int(os.environ.get("PROD_PORT", "8443")),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("up", "down", "status"))
    args = parser.parse_args()
    running = Topology.load()
    try:
        if args.action == "up":
            if running and alive(running.nginx_pid()):
                print(f"already running: {running.url}")
                return 0
            topology = from_environment()
            try:
                topology.up()
            except BaseException:
                topology.down()
                raise
            print(f"prod-up: {topology.url} (metrics on http://127.0.0.1:{topology.node('metrics').port}/metrics)")
        elif args.action == "down":
            if running:
                running.down()
            print("prod-down: stopped" if running else "prod-down: nothing was running")
        else:
            print(json.dumps({n.name: alive(n.pid) for n in running.nodes}) if running else "not running")
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
