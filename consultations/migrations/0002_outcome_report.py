"""Consultation outcome reports rendered in the background (issue 7)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="OutcomeReport",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "Waiting for its turn"),
                            ("rendering", "Being prepared"),
                            ("ready", "Ready"),
                            ("failed", "Could not be prepared"),
                        ],
                        default="queued",
                        max_length=10,
                    ),
                ),
                ("progress", models.PositiveSmallIntegerField(default=0)),
                ("source_key", models.CharField(max_length=64)),
                ("requested_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("error", models.CharField(blank=True, max_length=300)),
                ("language", models.CharField(blank=True, max_length=10)),
                ("pdf", models.BinaryField(blank=True, null=True)),
                ("pdf_key", models.CharField(blank=True, max_length=64)),
                ("pdf_sha256", models.CharField(blank=True, max_length=64)),
                ("pdf_size", models.PositiveIntegerField(default=0)),
                (
                    "consultation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="outcome_report",
                        to="consultations.consultationpage",
                    ),
                ),
            ],
            options={
                "verbose_name": "outcome report",
            },
        ),
    ]
