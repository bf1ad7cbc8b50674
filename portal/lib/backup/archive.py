"""Write and read a backup directory: the PostgreSQL dump, public and private media, a manifest."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from portal.lib.backup import stream

FORMAT = 1
DATABASE = "database.dump"
PARTS_MEDIA = {"media.tar": "media", "private.tar": "private"}


class BackupError(RuntimeError):
    """A step failed; the message says which and why."""


@dataclass
class Database:
    """What pg_dump and pg_restore need, from Django's DATABASES entry."""

    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def from_settings(cls, entry: dict) -> Database:
        if not entry["ENGINE"].endswith("postgresql"):
            raise BackupError("backup and restore work on PostgreSQL only (DATABASE_URL=postgres://…).")
        return cls(
            name=entry["NAME"],
            host=entry.get("HOST") or "",
            port=str(entry.get("PORT") or ""),
            user=entry.get("USER") or "",
            password=entry.get("PASSWORD") or "",
        )

    def env(self, database: str | None = None) -> dict[str, str]:
        # The password travels in the environment, never on a command line (ps shows those).
        env = dict(os.environ)
        for key, value in (
            ("PGHOST", self.host),
            ("PGPORT", self.port),
            ("PGUSER", self.user),
            ("PGPASSWORD", self.password),
            ("PGDATABASE", database or self.name),
        ):
            if value:
                env[key] = value
        return env


def _run(command: list[str], env: dict[str, str], **kwargs) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{command[0]} failed: {detail[-1] if detail else result.returncode}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def _manifest_bytes(manifest: dict) -> bytes:
    return json.dumps({k: v for k, v in manifest.items() if k != "mac"}, sort_keys=True).encode()


def create(
    *, key: bytes, database: Database, media_root: Path, private_root: Path, target_dir: Path, extra: dict
) -> Path:
    """Write a new backup directory under ``target_dir``; returns it."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = target_dir / f"suara-backup-{stamp}"
    out.mkdir(parents=True, exist_ok=False)
    os.chmod(out, 0o700)
    parts = {}
    with tempfile.TemporaryDirectory(prefix="suara-backup-") as scratch:
        scratch_dir = Path(scratch)
        dump = scratch_dir / DATABASE
        # Custom format: compressed, and pg_restore can pick or reorder objects.
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--file={dump}"], database.env())
        sources = {DATABASE: dump}
        for part, label in PARTS_MEDIA.items():
            root = media_root if label == "media" else private_root
            tar_path = scratch_dir / part
            with tarfile.open(tar_path, "w") as tar:
                if root.exists():
                    tar.add(root, arcname=".")
            sources[part] = tar_path
        for part, source in sources.items():
            stored = out / f"{part}.enc"
            with source.open("rb") as clear, stored.open("wb") as sealed:
                sha_clear, size = stream.encrypt(key, part, clear, sealed)
            source.unlink()  # the clear copy goes as soon as the sealed one exists
            parts[part] = {"sha256": sha_clear, "bytes": size, "stored_sha256": _sha256(stored)}
    manifest = {
        "format": FORMAT,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "key_id": stream.key_id(key),
        "database": database.name,
        "parts": parts,
        **extra,
    }
    manifest["mac"] = stream.sign(key, _manifest_bytes(manifest))
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return out


def read_manifest(backup_dir: Path, keys: list[bytes]) -> tuple[dict, bytes]:
    """The manifest, checked against the key that made it (from ``keys``)."""
    try:
        manifest = json.loads((backup_dir / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{backup_dir}/manifest.json cannot be read: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')!r} is not one this version reads ({FORMAT}).")
    key = next((k for k in keys if stream.key_id(k) == manifest.get("key_id")), None)
    if key is None:
        raise stream.BackupKeyError(
            f"no given key opens this backup (key id {manifest.get('key_id')}); set BACKUP_OLD_KEYS after a rotation."
        )
    if not stream.verify(key, _manifest_bytes(manifest), manifest.get("mac", "")):
        raise stream.BackupCorrupt("manifest.json was altered")
    return manifest, key


def verify(backup_dir: Path, keys: list[bytes]) -> dict:
    """Decrypt every part to nowhere and compare checksums; the manifest when all match."""
    manifest, key = read_manifest(backup_dir, keys)
    for part, expected in manifest["parts"].items():
        with (backup_dir / f"{part}.enc").open("rb") as sealed, open(os.devnull, "wb") as sink:
            sha, size = stream.decrypt(key, part, sealed, sink)
        if (sha, size) != (expected["sha256"], expected["bytes"]):
            raise stream.BackupCorrupt(f"{part}: checksum differs from the manifest")
    return manifest


def restore(*, backup_dir: Path, keys: list[bytes], database: Database, media_root: Path, private_root: Path) -> dict:
    """Replace the database and both media trees with the backup's. Checks everything first."""
    manifest, key = read_manifest(backup_dir, keys)
    with tempfile.TemporaryDirectory(prefix="suara-restore-") as scratch:
        scratch_dir = Path(scratch)
        clear = {}
        for part, expected in manifest["parts"].items():
            target = scratch_dir / part
            with (backup_dir / f"{part}.enc").open("rb") as sealed, target.open("wb") as out:
                sha, size = stream.decrypt(key, part, sealed, out)
            if (sha, size) != (expected["sha256"], expected["bytes"]):
                raise stream.BackupCorrupt(f"{part}: checksum differs from the manifest")
            clear[part] = target
        # Every part is intact: only now is anything replaced.
        name = database.name.replace('"', '""')
        admin = database.env("postgres")
        _run(["psql", "-v", "ON_ERROR_STOP=1", "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], admin)
        _run(["psql", "-v", "ON_ERROR_STOP=1", "-c", f'CREATE DATABASE "{name}"'], admin)
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-acl",
                "--exit-on-error",
                f"--dbname={database.name}",
                str(clear[DATABASE]),
            ],
            database.env(),
        )
        for part, label in PARTS_MEDIA.items():
            root = media_root if label == "media" else private_root
            _replace_tree(clear[part], root)
    return manifest


def _replace_tree(tar_path: Path, root: Path) -> None:
    """Unpack beside ``root``, then swap: a failed unpack leaves the old tree in place."""
    root.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{root.name}-restoring-", dir=root.parent))
    with tarfile.open(tar_path) as tar:
        tar.extractall(fresh, filter="data")  # no absolute paths, links out of the tree or devices
    if root.exists():
        shutil.rmtree(root)
    fresh.rename(root)
