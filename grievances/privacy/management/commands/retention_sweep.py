"""Anonymise closed cases past their retention period and delete expired records: once, or every N seconds.

`run_portal` runs it hourly beside the web server and production's scheduler
likewise (``grievances/privacy/wagtail_hooks.py``). Idempotent and safe to
run twice at once (see ``grievances.privacy.services.retention_sweep``).
"""

from django.core.management.base import CommandError

from grievances.privacy.services import BATCH_SIZE, cases_due, retention_sweep
from portal.management.repeating import RepeatingCommand


class Command(RepeatingCommand):
    help = "Anonymise closed cases past their retention period and delete expired records (idempotent)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--dry-run", action="store_true", help="Print what would be done, change nothing.")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="Cases per transaction.")
        parser.add_argument("--limit", type=int, default=None, help="Anonymise at most this many cases this round.")

    def handle(self, *args, **options):
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        self.options = options
        return super().handle(*args, **options)

    def run_once(self, *, verbose: bool, once: bool) -> str | None:
        dry_run = self.options["dry_run"]
        result = retention_sweep(dry_run=dry_run, batch_size=self.options["batch_size"], limit=self.options["limit"])
        records = ("access_logs", "throttle", "sessions", "tasks", "sms", "consultation_responses")
        others = " ".join(f"{kind}={result.get(kind, 0)}" for kind in records)
        if dry_run:
            lines = [
                f"retention_sweep (dry run): would anonymise cases={result['would_anonymise']}; "
                f"would warn about cases={result['warned']}; would delete or anonymise {others}"
            ]
            if verbose:
                queryset, labels = cases_due()
                for reference, category_id in queryset.values_list("reference", "category_id")[:200]:
                    lines.append(f"  {reference}: {labels.get(category_id, '')}")
            return "\n".join(lines)
        if verbose or result["cases"] or result["warned"] or any(result.get(kind) for kind in records):
            return (
                f"retention_sweep: anonymised cases={result['cases']}; warned about cases={result['warned']}; "
                f"deleted or anonymised {others}"
            )
        return None
