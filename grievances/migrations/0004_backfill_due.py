"""Cases lodged before the queue existed get the deadline their clock runs to.

Kept apart from 0002: on PostgreSQL, updating rows and then altering or
indexing the same table in one transaction fails ("pending trigger events").
"""

from django.db import migrations, models

OPEN_WITH_CLOCK = ["acknowledged", "assigned", "in_progress", "awaiting_complainant", "referred"]


def backfill_due(apps, schema_editor):
    Grievance = apps.get_model("grievances", "Grievance")
    # Only cases never back-filled (a database that ran an earlier 0002 already was).
    pending = Grievance.objects.filter(pk__in=list(Grievance.objects.filter(due_on__isnull=True).values_list("pk", flat=True)))
    pending.update(last_activity_at=models.F("lodged_at"))
    pending.filter(status="lodged").update(due_on=models.F("acknowledge_due"))
    pending.filter(status__in=OPEN_WITH_CLOCK).update(due_on=models.F("resolve_due"))
    pending.filter(status="appealed").update(due_on=models.F("appeal_decision_due"))


class Migration(migrations.Migration):
    dependencies = [("grievances", "0003_decided_by")]

    operations = [migrations.RunPython(backfill_due, migrations.RunPython.noop)]
