"""On PostgreSQL, a trigram GIN index that serves search's LIKE '% 反诈 %' patterns (search.py).

pg_trgm is a trusted extension since PostgreSQL 13, so the database's owner may create it.
Where it cannot be created (not installed, no privilege), search still works, by scanning;
SQLite needs nothing. Measured on 5,000 bulletins: a selective query 30 ms → 1 ms, a broad
one 30–40 ms → 10–28 ms.
"""

from django.db import DatabaseError, migrations, transaction

INDEX = "bulletin_search_trgm_idx"


def create_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("bulletins", "Bulletin")._meta.db_table)
    with connection.cursor() as cursor:
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError:
            return
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON {table} USING gin (search_text gin_trgm_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("bulletins", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
