"""Seal respondents' names at rest, like complainants' (docs/privacy.md).

The column becomes text (a sealed value is longer than the name); names
already there are sealed in batches under the current data key, on SQLite
and PostgreSQL alike. Reversing leaves the column as text: the sealed values
stay sealed and are still read through the keys.
"""

import portal.lib.encrypted
from django.db import migrations

from portal.lib.encrypted import reseal_column


def seal_existing(apps, schema_editor):
    Response = apps.get_model("consultations", "Response")
    reseal_column(Response.objects.all(), "respondent_name", seal_clear=True)


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0006_codes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="response",
            name="respondent_name",
            field=portal.lib.encrypted.EncryptedTextField(max_length=200, verbose_name="respondent's name"),
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop, elidable=True),
    ]
