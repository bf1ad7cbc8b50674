"""Word search in every script: a trigram index over a folded copy of the description.

The stored ``tsvector`` of migration 0002 split text into words at spaces, so
Thai, Lao, Khmer, Burmese and Chinese (no spaces between words) were one
long "word" each and could not be searched; nor could Vietnamese without its
accents. ``grievances.search`` explains the new matching; this migration
gives PostgreSQL what it needs:

1. the ``pg_trgm`` and ``unaccent`` extensions (both "trusted": the
   database's owner may create them) and the immutable function
   ``suara_search_fold(text)`` (a copy of ``grievances.search.fold``; a test
   compares the two);
2. a GIN trigram index on ``suara_search_fold(description)``, built with
   ``CREATE INDEX CONCURRENTLY``: on a million cases the build takes minutes,
   and a plain ``CREATE INDEX`` would stop every lodging (a write lock on
   the table) for all of them. Concurrent builds cannot run in a transaction,
   hence ``atomic = False``. A build that failed half-way leaves an invalid
   index behind; it is dropped and built again;
3. the old column and its index dropped: a catalogue change, over in
   milliseconds, but it needs the table's lock for that moment, so it waits at
   most ``lock_timeout`` behind long queries and fails (run ``migrate`` again)
   rather than queue every request behind it.

Reversing rebuilds the old column, which rewrites the table (minutes on a
million rows, with the table locked): a rollback, not a routine step.

SQLite (the embedded default) needs none of this: ``grievances.apps``
registers the Python fold on each connection and the search scans.
"""

from django.db import migrations

INDEX = "grievance_search_fold_trgm"
# Frozen copies of grievances.search.PUNCTUATION and HAN_CLASS at this migration.
PUNCTUATION = ".,;:!?()[]{}<>\"'`/|+=*&^~#@$-\u2013\u2014\u2018\u2019\u201c\u201d\u00ab\u00bb\u2026\u00b7\u00a0\t\r\n\u060c\u061b\u061f\u06d4\u0964\u0965\u3001\u3002\uff0c\uff1b\uff1a\uff1f\uff01\uff08\uff09\u300c\u300d"
HAN_CLASS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


def _literal(text):
    return "'" + text.replace("'", "''") + "'"


def create_fold(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        cursor.execute(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'unaccent'"
        )
        schema = cursor.fetchone()[0]
        # Schema-qualified, and the dictionary named by its OID once parsed:
        # an index must not depend on whoever's search_path runs it.
        unaccent = f'"{schema}".unaccent(\'"{schema}".unaccent\'::regdictionary, '
        cursor.execute(
            "CREATE OR REPLACE FUNCTION suara_search_fold(value text) RETURNS text "
            "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN "
            f"' ' || regexp_replace(lower({unaccent}translate(value, {_literal(PUNCTUATION)}, "
            f"{_literal(' ' * len(PUNCTUATION))}))), {_literal('([' + HAN_CLASS + '])')}, ' \\1 ', 'g') || ' '"
        )


def drop_fold(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS suara_search_fold(text)")


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = %s",
            [INDEX],
        )
        row = cursor.fetchone()
        if row is not None and not row[0]:
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")
        cursor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON grievances_grievance "
            "USING gin (suara_search_fold(description) gin_trgm_ops)"
        )
        # The planner's statistics of the new expression: without them it
        # guesses how many cases a word finds, and picks the wrong plan.
        cursor.execute("ANALYZE grievances_grievance")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


def drop_old_column(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '10s'")
        try:
            cursor.execute("ALTER TABLE grievances_grievance DROP COLUMN IF EXISTS search_vector")
        finally:
            cursor.execute("RESET lock_timeout")


def restore_old_column(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE grievances_grievance ADD COLUMN IF NOT EXISTS search_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple', description)) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS grievance_search_vector ON grievances_grievance USING gin (search_vector)"
    )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("grievances", "0008_lodging_submissions"),
    ]

    operations = [
        migrations.RunPython(create_fold, drop_fold, atomic=False),
        migrations.RunPython(create_index, drop_index, atomic=False),
        migrations.RunPython(drop_old_column, restore_old_column, atomic=False),
    ]
