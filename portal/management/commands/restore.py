"""``manage.py restore BACKUP --yes``: replace the database and media with a backup's.

Every part is decrypted and checked against the manifest before anything is
replaced. Stop the web, websocket and worker processes first (docs/operations.md):
the database is dropped and created again.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from portal.lib.backup import archive, stream
from portal.management.commands.backup import backup_keys


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` (drops and recreates the database)."

    def add_arguments(self, parser):
        parser.add_argument("backup", help="The backup directory (suara-backup-…).")
        parser.add_argument("--yes", action="store_true", help="Confirm: the current data is replaced.")

    def handle(self, *args, **options):
        if not options["yes"]:
            raise CommandError("restore replaces the database and all media; run again with --yes to confirm.")
        keys = backup_keys()
        database = archive.Database.from_settings(settings.DATABASES["default"])
        connections.close_all()  # our own session would keep the database from being dropped
        try:
            manifest = archive.restore(
                backup_dir=Path(options["backup"]),
                keys=keys,
                database=database,
                media_root=Path(settings.MEDIA_ROOT),
                private_root=Path(settings.PRIVATE_MEDIA_ROOT),
            )
        except (archive.BackupError, stream.BackupCorrupt, stream.BackupKeyError, OSError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"restored backup made {manifest['created']} ({len(manifest['parts'])} parts)")
