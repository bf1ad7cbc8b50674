"""Word search in every script: a folded copy of the description, and a trigram index on it.

The stored ``tsvector`` of migration 0002 split text into words at spaces, so
Thai, Lao, Khmer, Burmese and Chinese (no spaces between words) were one
long "word" each and could not be searched; nor could Vietnamese without its
accents. ``grievances.search`` explains the new matching; this migration
gives PostgreSQL what it needs, without locking the table for longer than a
catalogue change, so that it is safe on a million cases while people lodge:

1. the ``pg_trgm`` and ``unaccent`` extensions (both "trusted": the
   database's owner may create them) and the immutable function
   ``suara_search_fold(text)`` (the SQL twin of ``grievances.search.fold``;
   a test compares the two);
2. a column ``search_text`` (added without a default: a catalogue change,
   no rewrite) that a trigger fills on every insert and on every change of
   the description, then filled for the existing rows in batches of 5,000,
   each its own transaction (rows stay writable; about a minute per million).
   A stored copy rather than an index on the function alone: PostgreSQL
   re-checks each candidate row, and folding the text anew there cost 20 µs
   a row, hundreds of milliseconds for a common word. (A generated column
   would say the same in one line, but adding one rewrites the whole table
   under an exclusive lock.);
3. a GIN trigram index on ``search_text``, built with ``CREATE INDEX
   CONCURRENTLY`` (lodging goes on meanwhile; concurrent builds cannot run in
   a transaction, hence ``atomic = False``). A build that failed half-way
   leaves an invalid index behind: it is dropped and built again;
4. the old column and its index dropped: a catalogue change, but it needs the
   table's lock for that moment, so it waits at most ``lock_timeout`` behind
   long queries and fails (run ``migrate`` again) rather than queue every
   request behind it.

Reversing rebuilds the old column, which rewrites the table (minutes on a
million rows, with the table locked): a rollback, not a routine step.

SQLite (the embedded default) needs none of this: ``grievances.apps``
registers the Python fold on each connection and the search scans.
"""

from django.db import migrations

INDEX = "grievance_search_text_trgm"
BATCH = 5000
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
        # One bracket expression for the punctuation ("]" first and "[-" last keep
        # both literal): translate() with a long list of characters cost 40 µs a row.
        punctuation = "[]" + "".join(c for c in PUNCTUATION if c not in "[]-") + "[-]"
        cursor.execute(
            "CREATE OR REPLACE FUNCTION suara_search_fold(value text) RETURNS text "
            "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN "
            f"' ' || regexp_replace(lower({unaccent}regexp_replace(value, {_literal(punctuation)}, ' ', 'g'))), "
            f"{_literal('([' + HAN_CLASS + '])')}, ' \\1 ', 'g') || ' '"
        )


def drop_fold(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS suara_search_fold(text)")


def add_column(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("ALTER TABLE grievances_grievance ADD COLUMN IF NOT EXISTS search_text text")
        cursor.execute(
            "CREATE OR REPLACE FUNCTION grievances_search_text() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN "
            "IF TG_OP = 'INSERT' OR NEW.description IS DISTINCT FROM OLD.description OR NEW.search_text IS NULL THEN "
            "NEW.search_text := suara_search_fold(NEW.description); "
            "END IF; "
            "RETURN NEW; "
            "END $$"
        )
        cursor.execute("DROP TRIGGER IF EXISTS grievance_search_text ON grievances_grievance")
        cursor.execute(
            "CREATE TRIGGER grievance_search_text BEFORE INSERT OR UPDATE ON grievances_grievance "
            "FOR EACH ROW EXECUTE FUNCTION grievances_search_text()"
        )
        # Rows written from here on are folded by the trigger; the ones before, in batches.
        cursor.execute("SELECT coalesce(max(id), 0) FROM grievances_grievance")
        last = cursor.fetchone()[0]
        for start in range(0, last, BATCH):
            cursor.execute(
                "UPDATE grievances_grievance SET search_text = suara_search_fold(description) "
                "WHERE id > %s AND id <= %s AND search_text IS NULL",
                [start, start + BATCH],
            )


def drop_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS grievance_search_text ON grievances_grievance")
        schema_editor.execute("DROP FUNCTION IF EXISTS grievances_search_text()")
        schema_editor.execute("ALTER TABLE grievances_grievance DROP COLUMN IF EXISTS search_text")


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
            "USING gin (search_text gin_trgm_ops)"
        )
        # The planner's statistics of the new column: without them it guesses
        # how many cases a word finds, and picks the wrong plan.
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
        ("grievances", "0009_localized_names_and_languages"),
    ]

    operations = [
        migrations.RunPython(create_fold, drop_fold, atomic=False),
        migrations.RunPython(add_column, drop_column, atomic=False),
        migrations.RunPython(create_index, drop_index, atomic=False),
        migrations.RunPython(drop_old_column, restore_old_column, atomic=False),
    ]
