"""deploy/: the files an operations team runs agree with the app and with each other."""

import re
import shutil
import socket
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from bench.topology import render_nginx, unit_command
from portal.lib.uploads.policy import MAX_FILE_BYTES, MAX_FILES
from portal.management.commands.run_portal import uvicorn_command

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"

# The Compose specification's top-level and service keys this file may use (a
# house subset of the spec, on top of the schema check below).
TOP_KEYS = {"name", "services", "networks", "volumes", "secrets", "configs"}
SERVICE_KEYS = {
    "image", "build", "restart", "environment", "secrets", "volumes", "depends_on", "read_only", "tmpfs",
    "security_opt", "cap_drop", "ulimits", "command", "healthcheck", "deploy", "stop_grace_period", "ports",
    "networks",
}  # fmt: skip


def compose():
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_the_compose_file_uses_only_known_keys_and_wires_every_role():
    spec = compose()
    assert set(spec) - {key for key in spec if key.startswith("x-")} <= TOP_KEYS
    services = spec["services"]
    for name, service in services.items():
        assert set(service) <= SERVICE_KEYS, (name, set(service) - SERVICE_KEYS)
        for secret in service.get("secrets", []):
            assert secret in spec["secrets"], (name, secret)
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert source.startswith(".") or source in spec["volumes"], (name, volume)
        for dependency in service.get("depends_on", {}):
            assert dependency in services
    assert {"postgres", "redis", "web", "websockets", "worker", "scheduler", "proxy", "metrics"} <= set(services)
    # No secret is written into the file itself: only *_FILE pointers.
    for name, service in services.items():
        for key, value in (service.get("environment") or {}).items():
            assert not re.search(r"(SECRET|PASSWORD|KEY)$", key), (name, key)
            assert "://" not in str(value) or "@" not in str(value), (name, key)
    assert "9108" not in str(services["proxy"])  # the proxy has no route to the metrics


def compose_specification() -> dict:
    # The Compose specification's JSON schema as check-jsonschema ships it (a
    # dev dependency, kept current there): no container engine needed.
    from check_jsonschema.builtin_schemas import get_builtin_schema

    return get_builtin_schema("vendor.compose-spec")


def specification_errors(document) -> list[str]:
    validator = jsonschema.Draft202012Validator(compose_specification())
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in sorted(validator.iter_errors(document), key=lambda error: list(map(str, error.absolute_path)))
    ]


def test_the_compose_file_is_valid_against_the_compose_specification():
    assert specification_errors(compose()) == []


def test_the_specification_is_a_current_one_and_rejects_what_compose_would():
    # Older copies of the schema refuse the top-level "name" this file uses.
    assert "name" in compose_specification()["properties"]
    misspelt = compose()
    misspelt["services"]["web"]["restrat"] = "always"
    assert specification_errors(misspelt) != []
    wrong_type = compose()
    wrong_type["services"]["worker"]["depends_on"] = "postgres"
    assert specification_errors(wrong_type) != []
    unknown_top = compose() | {"service": {}}
    assert specification_errors(unknown_top) != []


def test_the_websocket_unit_and_container_run_uvicorn_as_the_launcher_does():
    options = uvicorn_command("H", 1)[4:]  # after "python -m uvicorn portal.asgi:application"
    expected = " ".join(options).replace("--host H --port 1 ", "")
    unit = (DEPLOY / "systemd" / "suara-ws@.service").read_text()
    assert expected in unit.replace("--host 127.0.0.1 --port %i ", "")
    container = " ".join(compose()["services"]["websockets"]["command"])
    assert expected in container.replace("--host 0.0.0.0 --port 8001 ", "")


@pytest.mark.parametrize("unit", sorted((DEPLOY / "systemd").glob("suara-*.service")), ids=lambda p: p.name)
def test_units_are_hardened_and_size_their_descriptors(unit):
    text = unit.read_text()
    for option in ("NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes", "LimitNOFILE="):
        assert option in text, option
    assert "User=suara" in text


def test_the_proxy_takes_uploads_as_large_as_the_app_and_no_larger():
    site = (DEPLOY / "nginx" / "suara-site.inc").read_text()
    megabytes = int(re.search(r"client_max_body_size (\d+)m;", site).group(1))
    needed = MAX_FILES * MAX_FILE_BYTES / 1024 / 1024
    assert needed < megabytes <= needed + 4


def test_the_proxy_overwrites_forwarded_headers_and_upgrades_websockets():
    site = (DEPLOY / "nginx" / "suara-site.inc").read_text()
    # One address, written by us: matches TRUSTED_PROXY_COUNT=1 (a client's own value is dropped).
    assert site.count("proxy_set_header X-Forwarded-For $remote_addr;") == 2
    assert "$proxy_add_x_forwarded_for" not in site
    assert "proxy_set_header Upgrade $http_upgrade;" in site
    assert "location = /metrics { return 404; }" in site


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_accepts_the_site(tmp_path):
    conf = render_nginx(
        tmp_path, web_ports=[1, 2], ws_ports=[3, 4], https_port=18443, static_root=tmp_path, media_root=tmp_path
    )
    result = subprocess.run(["nginx", "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_topology_runs_the_units_own_commands():
    web = unit_command("suara-web@.service")
    assert web[-1] == "portal.wsgi:application" and "127.0.0.1:{port}" in web
    worker = unit_command("suara-worker@.service", instance="worker-1")
    assert worker[-2:] == ["--worker-id", f"{socket.gethostname()}-worker-1"]
    assert unit_command("suara-metrics.service", port_in="127.0.0.1:9108")[-1] == "127.0.0.1:{port}"


def test_no_secret_or_key_can_reach_the_image():
    ignored = (DEPLOY.parent / ".dockerignore").read_text().split()
    assert {"deploy/secrets", "deploy/tls", "var", ".venv"} <= set(ignored)
    build = (DEPLOY / "Containerfile").read_text()
    assert "USER suara" in build and "ENV SECRET_KEY" not in build and "ARG SECRET_KEY" not in build
