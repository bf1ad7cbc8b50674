"""Outcome letters (issue 7)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("grievances", "0004_backfill_due"),
    ]

    operations = [
        migrations.CreateModel(
            name="OutcomeLetter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("state_key", models.CharField(max_length=64)),
                ("language", models.CharField(max_length=10)),
                ("code", models.CharField(max_length=64, unique=True)),
                ("issued_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("pdf", models.BinaryField()),
                ("pdf_sha256", models.CharField(max_length=64)),
                (
                    "grievance",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="outcome_letters",
                        to="grievances.grievance",
                    ),
                ),
            ],
            options={
                "ordering": ["-issued_at", "-id"],
                "constraints": [
                    models.UniqueConstraint(fields=("grievance", "state_key"), name="outcome_letter_once_per_state")
                ],
            },
        ),
    ]
