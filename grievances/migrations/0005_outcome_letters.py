"""Outcome letters (issue 7)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("grievances", "0004_backfill_due"),
    ]

    operations = []
