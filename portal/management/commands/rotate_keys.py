"""``manage.py rotate_keys``: seal everything again under the current data key, in batches, while the portal runs.

Rotation, step by step (docs/privacy.md): append a new key to
``SUARA_DATA_KEYS`` (``--new-key ID`` prints one), restart the portal so new
writes use it, run this command, and remove the old key only when it reports
nothing left under old keys.
"""

from django.core.management.base import BaseCommand, CommandError

from portal.lib import datakeys
from portal.lib.rotation import rotate_keys


class Command(BaseCommand):
    help = "Re-encrypt sealed personal data and private files under the current data key, in batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000, help="Rows per statement (default 1000).")
        parser.add_argument("--skip-files", action="store_true", help="Leave the private files for another pass.")
        parser.add_argument("--new-key", metavar="ID", help="Print a new id:key pair to append, and do nothing else.")

    def handle(self, *args, **options):
        if options["new_key"]:
            if not datakeys.KEY_ID.fullmatch(options["new_key"]):
                raise CommandError("A key id is letters, digits, - and _ (at most 32).")
            self.stdout.write(datakeys.new_key_line(options["new_key"]))
            return
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        verbose = options["verbosity"] > 1
        report = rotate_keys(
            batch_size=options["batch_size"],
            files=not options["skip_files"],
            progress=self.stdout.write if verbose else None,
        )
        left = sum(report.remaining.values())
        self.stdout.write(
            f"rotate_keys: current key {datakeys.keyring().current_id}; {report.rows} values and "
            f"{report.files} files sealed again; {left} values still under older keys."
        )
        if left:
            raise CommandError("Some values are still under older keys (written meanwhile?): run it again.")
