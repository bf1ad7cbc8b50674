"""Typed readers for deploy-time settings.

Every value that differs between a laptop and a server comes from the
environment through one of these helpers. A wrong value stops start-up with
one sentence naming the variable, never a traceback wall: ``manage.py``,
``asgi.py`` and ``wsgi.py`` catch :class:`ConfigError` and print it.

``NAME_FILE`` may point at a file holding the value (container secrets).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import dj_database_url
import dj_email_url


class ConfigError(Exception):
    """A setting from the environment is missing or malformed."""


def _raw(name: str) -> str | None:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{name}_FILE={file_name!r} cannot be read: {exc.strerror}.") from None
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    return default if value is None else value


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = (_raw(name) or default).lower()
    if value not in choices:
        raise ConfigError(f"{name}={value!r} is not one of: {', '.join(choices)}.")
    return value


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ConfigError(f"{name}={value!r} is not a boolean (use true/false, 1/0, yes/no).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"{name}={number} must be at least {minimum}.")
    return number


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def _port(name: str, parts) -> int | None:
    try:
        return parts.port
    except ValueError:
        raise ConfigError(f"{name} has a port that is not a number between 0 and 65535.") from None


def _url_path(raw_path: str, base_dir: Path) -> Path:
    """``scheme:///rel/path`` is relative to the project, ``scheme:////abs/path`` absolute.

    ``raw_path`` is the URL's path without its first slash, as the URL libraries give it.
    """
    path = Path(raw_path)
    return path if path.is_absolute() else base_dir / path


DATABASE_SCHEMES = ("postgres", "postgresql", "pgsql", "sqlite")
SQLITE_OPTIONS = {
    # WAL lets the web server and the task worker read while one writes;
    # IMMEDIATE transactions avoid "database is locked" on upgrade.
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
    ),
}


def parse_database_url(url: str, *, name: str = "DATABASE_URL", base_dir: Path) -> dict:
    """Turn ``postgres://user:pass@host:5432/db`` or ``sqlite:///path`` into DATABASES['default'].

    dj-database-url reads the URL; what is Suara's own is which schemes are
    accepted, paths relative to the project, the SQLite options, persistent
    PostgreSQL connections, and a one-sentence error naming the variable.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if not scheme:
        raise ConfigError(
            f"{name}={url!r} is not a URL: use postgres://user@host:5432/dbname or sqlite:///var/suara.sqlite3."
        )
    if scheme not in DATABASE_SCHEMES:
        # dj-database-url knows more engines (MySQL, Oracle…); Suara is tested on these two only.
        raise ConfigError(f"{name} uses {scheme!r}; Suara supports postgres:// and sqlite:// only.")
    if scheme == "sqlite":
        if parts.netloc:
            raise ConfigError(f"{name} for SQLite takes no host: use sqlite:///relative.db or sqlite:////abs/path.db.")
        if parts.path in ("", "/"):
            # dj-database-url would quietly give an in-memory database.
            raise ConfigError(f"{name} names no SQLite file: use sqlite:///var/suara.sqlite3.")
    try:
        config = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    except dj_database_url.ParseError:
        _port(name, parts)  # the usual mistake, named in the sentence
        raise ConfigError(f"{name} cannot be read as a URL: percent-encode special characters.") from None
    options = config.setdefault("OPTIONS", {})
    if scheme == "sqlite":
        if config["NAME"] != ":memory:":
            config["NAME"] = str(_url_path(config["NAME"], base_dir))
        config["OPTIONS"] = {**SQLITE_OPTIONS, **options}
        for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "DISABLE_SERVER_SIDE_CURSORS"):
            config.pop(key, None)  # a file opened per request costs nothing to keep or close
        return config
    if not config["NAME"]:
        raise ConfigError(f"{name} names no database: use postgres://user@host:5432/dbname.")
    config["PORT"] = str(config["PORT"])  # the library gives a number; Suara's settings have always had text
    if "conn_max_age" in options:
        # Suara's own query option: how long a worker keeps its connection (the library takes it as an argument).
        seconds = options.pop("conn_max_age")
        if not isinstance(seconds, int):
            raise ConfigError(f"{name} conn_max_age must be a number of seconds.")
        config["CONN_MAX_AGE"] = seconds
    return config


def validate_redis_url(url: str, *, name: str = "REDIS_URL") -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise ConfigError(f"{name}={url!r} must start with redis://, rediss:// or unix://.")
    if parts.scheme == "unix":
        return url
    if not parts.hostname:
        raise ConfigError(f"{name}={url!r} names no host: use redis://127.0.0.1:6379/0.")
    _port(name, parts)
    db = parts.path.lstrip("/")
    if db and not db.isdigit():
        raise ConfigError(f"{name} database {db!r} must be a number, as in redis://host:6379/0.")
    return url


EMAIL_SCHEMES = {
    # Suara's names -> dj-email-url's, with what they imply.
    "console": ("console", {}),
    "locmem": ("memory", {}),
    "dummy": ("dummy", {}),
    "file": ("file", {}),
    "smtp": ("smtp", {}),
    "smtps": ("smtp", {"ssl": "1"}),  # implicit TLS (port 465); dj-email-url's smtps means STARTTLS
    "smtp+tls": ("smtp", {"tls": "1"}),
}
MAIL_TIMEOUT = 10


def parse_email_url(url: str, *, name: str = "EMAIL_URL", base_dir: Path) -> dict:
    """A ``MAILERS`` entry from ``console://``, ``file:///var/mail``, ``locmem://``,
    ``smtp://user:pass@host:587?tls=1`` or ``smtps://user:pass@host:465``.

    dj-email-url reads the URL into the old ``EMAIL_*`` settings; Django 6.1's
    ``MAILERS`` wants ``{"BACKEND": ..., "OPTIONS": {...}}`` with the backend's
    own argument names, so the result is converted here.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in EMAIL_SCHEMES:
        raise ConfigError(f"{name}={url!r}: use console://, file:///path, smtp://host:port or smtps://host:port.")
    library_scheme, implied = EMAIL_SCHEMES[scheme]
    if scheme.startswith("smtp") and not parts.hostname:
        # dj-email-url would fall back to localhost.
        raise ConfigError(f"{name} names no mail server: use smtp://user:password@host:587?tls=1.")
    port = _port(name, parts)
    query = urlencode({**dict(parse_qsl(parts.query)), **implied})
    conf = dj_email_url.parse(urlunsplit((library_scheme, parts.netloc, parts.path, query, "")))
    backend = conf["EMAIL_BACKEND"]
    if library_scheme == "file":
        return {
            "BACKEND": backend,
            "OPTIONS": {"file_path": str(_url_path(unquote(conf["EMAIL_FILE_PATH"]) or "var/mail", base_dir))},
        }
    if library_scheme != "smtp":
        return {"BACKEND": backend}
    use_ssl, use_tls = conf["EMAIL_USE_SSL"], conf["EMAIL_USE_TLS"]
    return {
        "BACKEND": backend,
        "OPTIONS": {
            "host": conf["EMAIL_HOST"],
            # dj-email-url gives 25 to any smtp:// without a port; the secure forms have their own.
            "port": port or (465 if use_ssl else 587 if use_tls else 25),
            "username": conf["EMAIL_HOST_USER"] or "",
            "password": conf["EMAIL_HOST_PASSWORD"] or "",
            "use_ssl": use_ssl,
            "use_tls": use_tls,
            "timeout": conf["EMAIL_TIMEOUT"] or MAIL_TIMEOUT,
        },
    }
