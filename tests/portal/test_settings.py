"""Settings come from the environment and refuse insecure production configuration.

Each case starts a real `manage.py` in a child process, because settings are
read once at start-up and a refusal must stop that start-up.
"""

import subprocess
import sys

import pytest

from portal.lib.env import ConfigError, parse_database_url, parse_email_url, validate_redis_url
from tests.conftest import PROJECT_DIR

GOOD_SECRET = "k3J9x-QpL0v_ZrT8mW2nB5cY7dF1gH4jK6lP9oI3uE0aS2wD8fR5tG7yH1"
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": GOOD_SECRET,
    "SUARA_DATA_KEYS": "k2026:" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=",
    "ALLOWED_HOSTS": "suara.example.org",
    "EMAIL_URL": "smtp://mailer:pw@mail.example.org:587?tls=1",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SMS_BACKEND": "gateway.sms.Backend",  # a gateway's class; no check imports it
}


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def refused(result) -> str:
    """The one line a refused start-up prints; fails if it printed a traceback."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.smoke
def test_production_refuses_a_missing_secret_key(subprocess_env):
    env = {**subprocess_env, **PRODUCTION}
    del env["SECRET_KEY"]
    assert "SECRET_KEY is not set" in refused(manage(env, "check"))


@pytest.mark.parametrize("secret", ["django-insecure-abc", "short", "x" * 60])
def test_production_refuses_a_default_or_weak_secret_key(subprocess_env, secret):
    env = {**subprocess_env, **PRODUCTION, "SECRET_KEY": secret}
    assert "SECRET_KEY" in refused(manage(env, "check"))


def test_production_refuses_debug(subprocess_env):
    env = {**subprocess_env, **PRODUCTION, "DEBUG": "true"}
    assert "DEBUG" in refused(manage(env, "check"))


def test_production_refuses_missing_allowed_hosts(subprocess_env):
    env = {**subprocess_env, **PRODUCTION}
    del env["ALLOWED_HOSTS"]
    assert "ALLOWED_HOSTS" in refused(manage(env, "check"))


def test_production_refuses_console_email(subprocess_env):
    env = {**subprocess_env, **PRODUCTION}
    del env["EMAIL_URL"]
    assert "EMAIL_URL" in refused(manage(env, "check"))


def test_production_with_real_secret_passes_check_deploy(subprocess_env):
    result = manage({**subprocess_env, **PRODUCTION}, "check", "--deploy")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_without_an_sms_gateway_switches_text_messages_off_with_a_warning(subprocess_env):
    env = {**subprocess_env, **PRODUCTION}
    del env["SMS_BACKEND"]
    result = manage(env, "check", "--deploy")
    assert result.returncode == 0, result.stderr
    assert "suara.W008" in result.stderr + result.stdout
    backend = manage(
        env, "shell", "-v", "0", "-c", "from django.conf import settings; print(repr(settings.SMS_BACKEND))"
    )
    assert backend.stdout.strip() == "''", backend.stderr


@pytest.mark.parametrize("backend", ["portal.lib.sms.FileBackend", "portal.lib.sms.ConsoleBackend"])
def test_production_refuses_the_sms_backends_that_deliver_nothing(subprocess_env, backend):
    env = {**subprocess_env, **PRODUCTION, "SMS_BACKEND": backend}
    assert "SMS_BACKEND" in refused(manage(env, "check"))


def test_production_never_exempts_demo_accounts_from_the_second_factor(subprocess_env):
    env = {**subprocess_env, **PRODUCTION, "SUARA_MFA_EXEMPT_DEMO": "true"}
    result = manage(
        env, "shell", "-v", "0", "-c", "from django.conf import settings; print(settings.SUARA_MFA_EXEMPT_DEMO)"
    )
    assert result.stdout.strip() == "False", result.stderr


@pytest.mark.smoke
@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("DATABASE_URL", "mysql://root@localhost/suara", "DATABASE_URL uses 'mysql'"),
        ("DATABASE_URL", "not a url", "DATABASE_URL="),
        ("DATABASE_URL", "postgres://user@host:99999/db", "DATABASE_URL has a port"),
        ("DATABASE_URL", "postgres://user@host:5432/", "DATABASE_URL names no database"),
        ("REDIS_URL", "http://localhost:6379", "REDIS_URL="),
        ("REDIS_URL", "redis://localhost:port/0", "REDIS_URL has a port"),
        ("DJANGO_ENV", "staging", "DJANGO_ENV='staging'"),
        ("DEBUG", "maybe", "DEBUG='maybe'"),
    ],
)
def test_a_malformed_variable_stops_start_up_with_one_line_naming_it(subprocess_env, variable, value, expected):
    line = refused(manage({**subprocess_env, variable: value}, "check"))
    assert line.startswith("Configuration error: ")
    assert expected in line


def test_development_generates_and_keeps_its_own_secret_key(subprocess_env, tmp_path):
    env = {**subprocess_env, "SUARA_VAR_DIR": str(tmp_path)}
    command = ("shell", "-v", "0", "-c", "from django.conf import settings; print(settings.SECRET_KEY)")
    first, second = manage(env, *command).stdout.strip(), manage(env, *command).stdout.strip()
    assert len(first) >= 50 and first == second
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


# The parsers themselves, without a child process.


@pytest.mark.smoke
def test_database_url_parses_postgres_with_options(tmp_path):
    config = parse_database_url("postgres://u%40x:p%2Fw@db.local:6432/suara?sslmode=require", base_dir=tmp_path)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"]) == ("u@x", "p/w", "db.local", "6432")
    assert config["OPTIONS"] == {"sslmode": "require"}


@pytest.mark.smoke
def test_sqlite_paths_are_relative_with_three_slashes_and_absolute_with_four(tmp_path):
    assert parse_database_url("sqlite:///var/x.db", base_dir=tmp_path)["NAME"] == str(tmp_path / "var/x.db")
    assert parse_database_url("sqlite:////srv/x.db", base_dir=tmp_path)["NAME"] == "/srv/x.db"
    assert "journal_mode=WAL" in parse_database_url("sqlite:///x.db", base_dir=tmp_path)["OPTIONS"]["init_command"]


def test_database_url_percent_encoded_password_and_suaras_connection_defaults(tmp_path):
    config = parse_database_url("postgresql://suara:p%40ss%3Aw%2Fd%23%20x@db:5432/suara", base_dir=tmp_path)
    assert (config["USER"], config["PASSWORD"], config["NAME"]) == ("suara", "p@ss:w/d# x", "suara")
    assert config["CONN_MAX_AGE"] == 60 and config["CONN_HEALTH_CHECKS"] is True and config["OPTIONS"] == {}
    assert parse_database_url("postgres://u@db/suara?conn_max_age=0", base_dir=tmp_path)["CONN_MAX_AGE"] == 0


def test_sqlite_in_memory_and_refusals_name_the_variable(tmp_path):
    memory = parse_database_url("sqlite:///:memory:", base_dir=tmp_path)
    assert memory["NAME"] == ":memory:" and memory["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "CONN_MAX_AGE" not in memory
    for url, sentence in [
        ("sqlite://", "names no SQLite file"),
        ("sqlite://host/x.db", "takes no host"),
        ("mysql://root@localhost/suara", "uses 'mysql'"),
        ("oracle://u@h/db", "uses 'oracle'"),
    ]:
        with pytest.raises(ConfigError, match=sentence):
            parse_database_url(url, base_dir=tmp_path)


def test_email_url_smtp_with_tls(tmp_path):
    config = parse_email_url("smtp://me:secret@mail.example.org?tls=1", base_dir=tmp_path)
    options = config["OPTIONS"]
    assert options["port"] == 587 and options["use_tls"] and not options["use_ssl"]
    assert (options["username"], options["password"]) == ("me", "secret")
    with pytest.raises(ConfigError, match="EMAIL_URL"):
        parse_email_url("pigeon://coop", base_dir=tmp_path)


def test_email_url_forms_become_mailers_entries(tmp_path):
    ssl = parse_email_url("smtps://me%40x.org:p%40ss@mail.example.org", base_dir=tmp_path)["OPTIONS"]
    assert (ssl["port"], ssl["use_ssl"], ssl["use_tls"]) == (465, True, False)
    assert (ssl["username"], ssl["password"], ssl["timeout"]) == ("me@x.org", "p@ss", 10)
    plain = parse_email_url("smtp://mail.example.org:2525?timeout=3", base_dir=tmp_path)["OPTIONS"]
    assert (plain["port"], plain["use_tls"], plain["timeout"], plain["username"]) == (2525, False, 3, "")
    assert parse_email_url("smtp+tls://mail.example.org", base_dir=tmp_path)["OPTIONS"]["port"] == 587
    assert parse_email_url("locmem://", base_dir=tmp_path) == {
        "BACKEND": "django.core.mail.backends.locmem.EmailBackend"
    }
    assert parse_email_url("file:///var/mail", base_dir=tmp_path)["OPTIONS"]["file_path"] == str(tmp_path / "var/mail")
    assert parse_email_url("file:////srv/mail", base_dir=tmp_path)["OPTIONS"]["file_path"] == "/srv/mail"
    with pytest.raises(ConfigError, match="names no mail server"):
        parse_email_url("smtp://", base_dir=tmp_path)
    with pytest.raises(ConfigError, match="EMAIL_URL has a port"):
        parse_email_url("smtp://mail.example.org:port", base_dir=tmp_path)


def test_redis_url_accepts_the_usual_forms():
    for url in ("redis://127.0.0.1:6379/0", "rediss://:pw@cache.example.org:6380/2", "unix:///run/redis.sock"):
        assert validate_redis_url(url) == url
    with pytest.raises(ConfigError, match="database 'x'"):
        validate_redis_url("redis://localhost:6379/x")


def test_production_on_postgresql_passes_check_deploy(subprocess_env):
    import os

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL (CI sets it)")
    result = manage({**subprocess_env, **PRODUCTION, "DATABASE_URL": url}, "check", "--deploy")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_asgi_processes_keep_no_persistent_database_connections(subprocess_env):
    env = {**subprocess_env, "DATABASE_URL": "postgres://u@127.0.0.1:5432/suara", "SUARA_ASGI": "1"}
    code = "from django.conf import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])"
    assert manage(env, "shell", "-v", "0", "-c", code).stdout.strip() == "0"
    env.pop("SUARA_ASGI")
    assert manage(env, "shell", "-v", "0", "-c", code).stdout.strip() == "60"


def test_production_refuses_to_start_without_a_data_key(subprocess_env):
    env = {**subprocess_env, **PRODUCTION}
    del env["SUARA_DATA_KEYS"]
    assert "SUARA_DATA_KEYS is not set" in refused(manage(env, "check"))


def test_production_refuses_the_development_data_key(subprocess_env):
    from portal.lib.datakeys import DEVELOPMENT_KEYS

    env = {**subprocess_env, **PRODUCTION, "SUARA_DATA_KEYS": DEVELOPMENT_KEYS}
    assert "development key" in refused(manage(env, "check"))


@pytest.mark.parametrize("keys", ["nocolon", "k1:not-base64!", "k1:c2hvcnQ="])
def test_a_malformed_data_key_is_refused_in_one_sentence(subprocess_env, keys):
    env = {**subprocess_env, **PRODUCTION, "SUARA_DATA_KEYS": keys}
    assert "SUARA_DATA_KEYS" in refused(manage(env, "check"))


def test_production_reads_the_data_keys_from_a_file(subprocess_env, tmp_path):
    keys = tmp_path / "data_keys"
    keys.write_text(PRODUCTION["SUARA_DATA_KEYS"] + "\n")
    env = {**subprocess_env, **PRODUCTION, "SUARA_DATA_KEYS_FILE": str(keys)}
    del env["SUARA_DATA_KEYS"]
    result = manage(env, "check")
    assert "SUARA_DATA_KEYS" not in result.stderr
