"""Seal complainants' identity and contact, and the narratives of sensitive cases, at rest.

The columns become text (a sealed value is longer than the clear one); rows
already there are sealed in batches under the current data key (SQLite and
PostgreSQL alike); a sealed description is not folded into ``search_text``
(a sensitive case's narrative is not searchable, docs/privacy.md).
"""

import django.core.validators
import portal.lib.encrypted
from django.db import migrations, models
from django.db.models import Q

from portal.lib.encrypted import reseal_column

SEARCH_TEXT_FUNCTION = (
    "CREATE OR REPLACE FUNCTION grievances_search_text() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN "
    "IF TG_OP = 'INSERT' OR NEW.description IS DISTINCT FROM OLD.description OR NEW.search_text IS NULL THEN "
    "NEW.search_text := CASE WHEN NEW.description LIKE 'sealed:%%' THEN ' ' "
    "ELSE suara_search_fold(NEW.description) END; "
    "END IF; "
    "RETURN NEW; "
    "END $$"
)
OLD_SEARCH_TEXT_FUNCTION = SEARCH_TEXT_FUNCTION.replace(
    "CASE WHEN NEW.description LIKE 'sealed:%%' THEN ' ' ELSE suara_search_fold(NEW.description) END",
    "suara_search_fold(NEW.description)",
)


def seal_existing(apps, schema_editor):
    Grievance = apps.get_model("grievances", "Grievance")
    CaseEvent = apps.get_model("grievances", "CaseEvent")
    sensitive = Q(category__sensitive=True) | Q(category__parent__sensitive=True)
    Grievance.objects.filter(sensitive).update(narrative_sealed=True)
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(SEARCH_TEXT_FUNCTION)
    for field in ("contact_name", "contact_phone", "contact_email", "member_name"):
        reseal_column(Grievance.objects.all(), field, seal_clear=True)
    reseal_column(Grievance.objects.filter(narrative_sealed=True), "description", seal_clear=True)
    reseal_column(CaseEvent.objects.filter(grievance__narrative_sealed=True), "body", seal_clear=True)


def restore_search_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(OLD_SEARCH_TEXT_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [
        ("grievances", "0011_field_visit_channel"),
    ]

    operations = [
        migrations.AddField(
            model_name="grievance",
            name="narrative_sealed",
            field=models.BooleanField(db_default=False, default=False, editable=False),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="body",
            field=portal.lib.encrypted.SealableTextField(blank=True, sealed_when="narrative_sealed"),
        ),
        migrations.AlterField(
            model_name="grievance",
            name="contact_email",
            field=portal.lib.encrypted.EncryptedTextField(
                blank=True, max_length=254, validators=[django.core.validators.EmailValidator()], verbose_name="e-mail"
            ),
        ),
        migrations.AlterField(
            model_name="grievance",
            name="contact_name",
            field=portal.lib.encrypted.EncryptedTextField(blank=True, max_length=150, verbose_name="name"),
        ),
        migrations.AlterField(
            model_name="grievance",
            name="contact_phone",
            field=portal.lib.encrypted.EncryptedTextField(blank=True, max_length=32, verbose_name="phone"),
        ),
        migrations.AlterField(
            model_name="grievance",
            name="description",
            field=portal.lib.encrypted.SealableTextField(sealed_when="narrative_sealed", verbose_name="what happened"),
        ),
        migrations.AlterField(
            model_name="grievance",
            name="member_name",
            field=portal.lib.encrypted.EncryptedTextField(blank=True, max_length=150, verbose_name="member's name"),
        ),
        migrations.RunPython(seal_existing, restore_search_function, elidable=True),
    ]
