"""What monitoring needs on a case: sex/gender where given, snapshots, indexes (issue 8, monitoring)."""

from django.db import migrations, models

# The dashboard reads one agency's cases over a period and counts them many
# ways at once. On PostgreSQL these covering indexes let it do so from the
# index alone (an index-only scan) instead of visiting a million-row table's
# pages; SQLite (development) does without them. See docs/monitoring.md.
MONITORING_COLUMNS = (
    "id, status, category_id, channel, region_id, programme_id, sex_gender, acknowledged_at, acknowledge_due, "
    "resolved_at, resolve_due, due_on, decision"
)
CREATE = [
    "CREATE INDEX IF NOT EXISTS grievance_monitoring ON grievances_grievance (agency_id, lodged_at) "
    f"INCLUDE ({MONITORING_COLUMNS})",
    "CREATE INDEX IF NOT EXISTS caseevent_outcomes ON grievances_caseevent (created_at) "
    "INCLUDE (grievance_id, kind, payload) WHERE kind IN ('accepted', 'appealed', 'appeal_decided')",
]
DROP = ["DROP INDEX IF EXISTS caseevent_outcomes", "DROP INDEX IF EXISTS grievance_monitoring"]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("grievances", "0006_api"),
    ]

    operations = [
        migrations.AddField(
            model_name="grievance",
            name="sex_gender",
            field=models.CharField(
                blank=True,
                choices=[
                    ("not_given", "Prefer not to say"),
                    ("female", "Female"),
                    ("male", "Male"),
                    ("another", "Another gender"),
                ],
                default="not_given",
                max_length=12,
                verbose_name="sex or gender",
            ),
        ),
        migrations.AddIndex(
            model_name="grievance",
            index=models.Index(fields=["agency", "resolved_at"], name="grievance_agency_resolved"),
        ),
        migrations.CreateModel(
            name="StatisticsSnapshot",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=40, unique=True)),
                ("data", models.JSONField(blank=True, default=dict)),
                ("computed_at", models.DateTimeField()),
            ],
        ),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
