"""``manage.py backup``: the database and both media trees, encrypted, into one directory.

    BACKUP_KEY=… manage.py backup --to /srv/backups     # prints the new directory
    manage.py backup --new-key                          # prints a fresh key
    manage.py backup --verify /srv/backups/suara-backup-…  # decrypts and checks, changes nothing

See docs/operations.md for the schedule, keeping keys and rotating them.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from portal.lib.backup import archive, stream
from portal.lib.env import ConfigError, env_list, env_str


def backup_keys() -> list[bytes]:
    """The current key first, then those retired by a rotation (still needed to read old backups)."""
    current = env_str("BACKUP_KEY")
    if not current:
        raise CommandError("BACKUP_KEY (or BACKUP_KEY_FILE) is not set; make one with `manage.py backup --new-key`.")
    try:
        return [stream.parse_key(current)] + [stream.parse_key(old) for old in env_list("BACKUP_OLD_KEYS")]
    except (stream.BackupKeyError, ConfigError) as exc:
        raise CommandError(str(exc)) from None


class Command(BaseCommand):
    help = "Back up the database and media, encrypted with BACKUP_KEY, with a manifest and checksums."

    def add_arguments(self, parser):
        parser.add_argument("--to", default=None, help="Directory to write into (default: $BACKUP_DIR or var/backups).")
        parser.add_argument("--new-key", action="store_true", help="Print a new random key and exit.")
        parser.add_argument("--verify", metavar="BACKUP", help="Check a backup's every part against its manifest.")

    def handle(self, *args, **options):
        if options["new_key"]:
            self.stdout.write(stream.new_key())
            return
        keys = backup_keys()
        try:
            if options["verify"]:
                manifest = archive.verify(Path(options["verify"]), keys)
                self.stdout.write(f"backup ok: {len(manifest['parts'])} parts, made {manifest['created']}")
                return
            database = archive.Database.from_settings(settings.DATABASES["default"])
            target = Path(options["to"] or env_str("BACKUP_DIR") or settings.VAR_DIR / "backups")
            last = MigrationRecorder.Migration.objects.order_by("-id").values_list("app", "name").first()
            out = archive.create(
                key=keys[0],
                database=database,
                media_root=Path(settings.MEDIA_ROOT),
                private_root=Path(settings.PRIVATE_MEDIA_ROOT),
                target_dir=target,
                extra={"last_migration": "/".join(last) if last else "", "server_version": connection.pg_version},
            )
        except (archive.BackupError, stream.BackupCorrupt, stream.BackupKeyError, OSError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(out))
