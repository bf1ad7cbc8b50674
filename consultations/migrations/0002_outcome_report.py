"""Consultation outcome reports rendered in the background (issue 7)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0001_initial"),
    ]

    operations = []
