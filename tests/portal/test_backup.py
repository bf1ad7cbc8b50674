"""Backups: encrypted in chunks, checked against an authenticated manifest, restored whole."""

import io
import json
import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from portal.lib.backup import archive, stream

KEY_TEXT = stream.new_key()
KEY = stream.parse_key(KEY_TEXT)


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(stream, "CHUNK", 64)


def sealed(data: bytes, name="part", key=KEY) -> bytes:
    out = io.BytesIO()
    stream.encrypt(key, name, io.BytesIO(data), out)
    return out.getvalue()


@pytest.mark.parametrize("size", [0, 1, 64, 65, 1000])
def test_a_part_round_trips_in_chunks(small_chunks, size):
    data = os.urandom(size)
    clear = io.BytesIO()
    _sha, length = stream.decrypt(KEY, "part", io.BytesIO(sealed(data)), clear)
    assert clear.getvalue() == data and length == size


def test_altered_cut_short_moved_or_foreign_parts_are_refused(small_chunks):
    blob = sealed(os.urandom(300))
    altered = bytearray(blob)
    altered[40] ^= 1
    cases = {
        "altered": (bytes(altered), "part", KEY),
        # Whole chunks dropped from the end: the new last chunk was not sealed as last.
        "cut": (blob[: 16 + 2 * (4 + 64 + 16)], "part", KEY),
        "renamed": (blob, "other", KEY),
        "other key": (blob, "part", stream.parse_key(stream.new_key())),
    }
    for label, (data, name, key) in cases.items():
        with pytest.raises(stream.BackupCorrupt):
            stream.decrypt(key, name, io.BytesIO(data), io.BytesIO())
            pytest.fail(label)


def test_keys_are_32_bytes_of_base64():
    with pytest.raises(stream.BackupKeyError):
        stream.parse_key("too-short")


def psql(url: str, database: str, sql: str) -> str:
    parts = urlsplit(url)
    env = dict(os.environ, PGHOST=parts.hostname or "", PGPORT=str(parts.port or 5432), PGUSER=parts.username or "")
    return subprocess.run(
        ["psql", "-At", "-d", database, "-c", sql], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def scratch_database():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…)")
    name = f"{urlsplit(url).path.lstrip('/')}_backup_check"
    psql(url, "postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(url, "postgres", f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    yield (
        url,
        archive.Database(name=name, host=parts.hostname or "", port=str(parts.port or 5432), user=parts.username or ""),
    )
    psql(url, "postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_drop_restore_brings_back_rows_and_both_media_trees(tmp_path, scratch_database, monkeypatch, capsys):
    url, database = scratch_database
    psql(url, database.name, "CREATE TABLE cases (ref text); INSERT INTO cases VALUES ('SU-1'), ('SU-2')")
    media, private = tmp_path / "media", tmp_path / "private"
    (media / "images").mkdir(parents=True)
    (media / "images" / "logo.png").write_bytes(b"png")
    (private / "att").mkdir(parents=True)
    (private / "att" / "scan.pdf").write_bytes(b"%PDF secret")

    out = archive.create(
        key=KEY, database=database, media_root=media, private_root=private, target_dir=tmp_path / "b", extra={}
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["parts"]) == {"database.dump", "media.tar", "private.tar"}
    assert b"secret" not in (out / "private.tar.enc").read_bytes()  # encrypted at rest
    assert archive.verify(out, [KEY])["key_id"] == stream.key_id(KEY)
    # The operator's check before an upgrade, as docs/operations.md gives it.
    from django.core.management import call_command

    monkeypatch.setenv("BACKUP_KEY", KEY_TEXT)
    call_command("backup", "--verify", str(out))
    assert "backup ok: 3 parts" in capsys.readouterr().out

    # Disaster: the database and the files are gone.
    psql(url, "postgres", f'DROP DATABASE "{database.name}" WITH (FORCE)')
    for root in (media, private):
        for path in sorted(root.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()

    # A retired key first, as after a rotation: the manifest names which key opens it.
    archive.restore(
        backup_dir=out,
        keys=[stream.parse_key(stream.new_key()), KEY],
        database=database,
        media_root=media,
        private_root=private,
    )
    assert psql(url, database.name, "SELECT string_agg(ref, ',' ORDER BY ref) FROM cases") == "SU-1,SU-2"
    assert (media / "images" / "logo.png").read_bytes() == b"png"
    assert (private / "att" / "scan.pdf").read_bytes() == b"%PDF secret"


def test_an_altered_manifest_or_part_stops_the_restore_before_anything_is_replaced(tmp_path, scratch_database):
    url, database = scratch_database
    psql(url, database.name, "CREATE TABLE kept (x int); INSERT INTO kept VALUES (1)")
    media, private = tmp_path / "m", tmp_path / "p"
    media.mkdir()
    private.mkdir()
    out = archive.create(
        key=KEY, database=database, media_root=media, private_root=private, target_dir=tmp_path, extra={}
    )
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["database"] = "elsewhere"
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(stream.BackupCorrupt, match="manifest"):
        archive.restore(backup_dir=out, keys=[KEY], database=database, media_root=media, private_root=private)
    with pytest.raises(stream.BackupKeyError):
        archive.read_manifest(out, [stream.parse_key(stream.new_key())])
    assert psql(url, database.name, "SELECT count(*) FROM kept") == "1"


def test_the_command_refuses_without_a_key_or_confirmation(monkeypatch):
    from django.core.management import CommandError, call_command

    monkeypatch.delenv("BACKUP_KEY", raising=False)
    with pytest.raises(CommandError, match="BACKUP_KEY"):
        call_command("backup")
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(Path("/nonexistent")))
