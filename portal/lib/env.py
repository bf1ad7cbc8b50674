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
from urllib.parse import parse_qs, unquote, urlsplit


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
    """``scheme:///rel/path`` is relative to the project, ``scheme:////abs/path`` absolute."""
    path = Path(raw_path[1:])
    return path if path.is_absolute() else base_dir / path


def parse_database_url(url: str, *, name: str = "DATABASE_URL", base_dir: Path) -> dict:
    """Turn ``postgres://user:pass@host:5432/db`` or ``sqlite:///path`` into DATABASES['default']."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    if scheme == "sqlite":
        # sqlite:///relative/path and sqlite:////absolute/path, as is customary.
        raw_path = unquote(parts.path)
        if parts.netloc:
            raise ConfigError(f"{name} for SQLite takes no host: use sqlite:///relative.db or sqlite:////abs/path.db.")
        if raw_path in ("", "/"):
            raise ConfigError(f"{name} names no SQLite file: use sqlite:///var/suara.sqlite3.")
        db_name = ":memory:" if raw_path == "/:memory:" else str(_url_path(raw_path, base_dir))
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": db_name,
            "OPTIONS": {
                # WAL lets the web server and the task worker read while one writes;
                # IMMEDIATE transactions avoid "database is locked" on upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
                ),
            },
        }
    if scheme in ("postgres", "postgresql", "pgsql"):
        db_name = unquote(parts.path.lstrip("/"))
        if not db_name:
            raise ConfigError(f"{name} names no database: use postgres://user@host:5432/dbname.")
        port = _port(name, parts)
        config = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": db_name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": unquote(parts.hostname or ""),
            "PORT": str(port or ""),
            "CONN_MAX_AGE": int(options.pop("conn_max_age", 60)),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
        return config
    if not scheme:
        raise ConfigError(
            f"{name}={url!r} is not a URL: use postgres://user@host:5432/dbname or sqlite:///var/suara.sqlite3."
        )
    raise ConfigError(f"{name} uses {scheme!r}; Suara supports postgres:// and sqlite:// only.")


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


def parse_email_url(url: str, *, name: str = "EMAIL_URL", base_dir: Path) -> dict:
    """A ``MAILERS`` entry from ``console://``, ``file:///var/mail``, ``locmem://``,
    ``smtp://user:pass@host:587?tls=1`` or ``smtps://user:pass@host:465``."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    simple = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
    }
    if scheme in simple:
        return {"BACKEND": simple[scheme]}
    if scheme == "file":
        return {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(_url_path(unquote(parts.path) or "/var/mail", base_dir))},
        }
    if scheme in ("smtp", "smtps", "smtp+tls"):
        if not parts.hostname:
            raise ConfigError(f"{name} names no mail server: use smtp://user:password@host:587?tls=1.")
        port = _port(name, parts)
        use_ssl = scheme == "smtps"
        use_tls = scheme == "smtp+tls" or options.get("tls", "").lower() in _TRUE
        return {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": parts.hostname,
                "port": port or (465 if use_ssl else 587 if use_tls else 25),
                "username": unquote(parts.username or ""),
                "password": unquote(parts.password or ""),
                "use_ssl": use_ssl,
                "use_tls": use_tls,
                "timeout": 10,
            },
        }
    raise ConfigError(f"{name}={url!r}: use console://, file:///path, smtp://host:port or smtps://host:port.")
